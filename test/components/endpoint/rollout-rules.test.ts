/**
 * The checks of `endpoint.rollout` (components/endpoint/rollout-rules.ts): what SageMaker's deployment guardrails
 * refuse is refused before anything is created, with the argument and the reason, and their limits are accepted.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApiArgs } from "../../../components";
import { irisFixture } from "../fixtures";
import { build, refuses } from "../harness";
import { T } from "../resource-types";

describe("ModelApi rollout rules: refused before anything is created", function () {
    this.timeout(60000);
    const { withEndpoint: base } = irisFixture();

    before(() => mocks.useMocks());

    const cases: [string, ModelApiArgs, string][] = [
        [
            "serverless",
            base({ serverless: {}, rollout: {} }),
            "endpoint.rollout cannot be combined with endpoint.serverless: SageMaker sizes canary and linear steps in instances of the variant (TrafficRoutingConfig), which a serverless endpoint does not have",
        ],
        [
            "Inf1",
            base({ instanceType: "ml.inf1.xlarge", rollout: {} }),
            "endpoint.rollout cannot be used with instance type ml.inf1.xlarge: SageMaker does not apply deployment guardrails to Inf1 endpoints and would shift all traffic at once without a bake",
        ],
        [
            "canary on one instance",
            base({ rollout: { trafficShifting: "canary" } }),
            `endpoint.rollout.trafficShifting "canary" needs at least 2 instances (endpoint.instanceCount is 1): SageMaker shifts at most 50 % of the variant's instances in a step; use "allAtOnce" or more instances`,
        ],
        [
            "unknown mode",
            base({ rollout: { trafficShifting: "blueGreen" } }),
            `endpoint.rollout.trafficShifting must be one of "allAtOnce", "canary", "linear"; got "blueGreen"`,
        ],
        [
            "canary over 50 %",
            base({ instanceCount: 4, rollout: { trafficShifting: "canary", canaryPercent: 60 } }),
            "endpoint.rollout.canaryPercent must be more than 0 and at most 50; got 60",
        ],
        [
            "linear step under 10 %",
            base({ instanceCount: 4, rollout: { trafficShifting: "linear", linearStepPercent: 5 } }),
            "endpoint.rollout.linearStepPercent must be from 10 to 50; got 5",
        ],
        [
            "canary size without canary",
            base({ rollout: { canaryPercent: 10 } }),
            `endpoint.rollout.canaryPercent needs trafficShifting: "canary"`,
        ],
        [
            "bake over an hour",
            base({ rollout: { bakeSeconds: 3601 } }),
            "endpoint.rollout.bakeSeconds must be an integer from 0 to 3600; got 3601",
        ],
        [
            "final bake over an hour",
            base({ rollout: { finalBakeSeconds: 3601 } }),
            "endpoint.rollout.finalBakeSeconds must be an integer from 0 to 3600; got 3601",
        ],
        [
            "timeout under 10 minutes",
            base({ rollout: { maximumSeconds: 300 } }),
            "endpoint.rollout.maximumSeconds must be an integer from 600 to 14400; got 300",
        ],
        [
            "monitoring off",
            base({ rollout: {} }, { monitoring: { enabled: false } }),
            "endpoint.rollout needs the endpoint alarms to roll back on; monitoring.enabled is false",
        ],
        [
            "no rollback alarm",
            base({ rollout: {} }, { monitoring: { alarms: { endpoint5xx: { enabled: false }, modelLatency: { enabled: false } } } }),
            "endpoint.rollout needs at least one of monitoring.alarms.endpoint5xx and monitoring.alarms.modelLatency to roll back on",
        ],
        [
            "bake shorter than an alarm window",
            base({ rollout: { bakeSeconds: 120 } }),
            "endpoint.rollout.bakeSeconds (120) is shorter than monitoring.alarms.endpoint5xx's evaluation window (180 s): the alarm could not trip before traffic moves on",
        ],
    ];
    for (const [what, args, message] of cases) {
        it(what, () => refuses(args, message));
    }

    it("takes the longest bakes SageMaker allows: an hour after each shift and an hour before the old fleet goes", async () => {
        await build("iris", base({ instanceCount: 2, rollout: { trafficShifting: "canary", bakeSeconds: 3600, finalBakeSeconds: 3600 } }));
        const policy = mocks.find(T.endpoint).inputs.deploymentConfig.blueGreenUpdatePolicy;
        assert.deepEqual([policy.trafficRoutingConfiguration.waitIntervalInSeconds, policy.terminationWaitInSeconds], [3600, 3600]);
    });
});
