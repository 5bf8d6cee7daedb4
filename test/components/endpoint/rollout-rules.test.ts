/**
 * The checks of `endpoint.rollout` (components/endpoint/rollout-rules.ts): what SageMaker's deployment guardrails
 * refuse is refused before anything is created, with the argument and the reason, and their limits are accepted.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApiArgs } from "../../../components";
import { rolloutSettings } from "../../../components/endpoint/defaults";
import { PROVIDER_ENDPOINT_WAIT_SECONDS, rolloutBakes, rolloutWorstCaseSeconds } from "../../../components/endpoint/rollout-rules";
import { irisFixture } from "../fixtures";

const rolloutTooLong = (total: number, bakes: number, bake: number, finalBake: number) =>
    `endpoint.rollout may take ${total} s (900 s to provision the new fleet, ${bakes} bake${bakes === 1 ? "" : "s"} of bakeSeconds ${bake} s, ` +
    `finalBakeSeconds ${finalBake} s), longer than the 3600 s the AWS provider waits for an endpoint update, which customTimeouts ` +
    `cannot extend: pulumi up would fail while SageMaker carries on. Shorten bakeSeconds or finalBakeSeconds, or take larger steps`;
import { build, refuses } from "../harness";
import { T } from "../resource-types";

describe("ModelApi rollout rules: refused before anything is created", function () {
    this.timeout(60000);
    const { withEndpoint: base } = irisFixture();

    before(() => mocks.useMocks());

    const cases: [string, ModelApiArgs, string][] = [
        [
            "canary on serverless",
            base({ serverless: {}, rollout: { trafficShifting: "canary" } }, { monitoring: { enabled: true } }),
            `endpoint.rollout.trafficShifting "canary" cannot be used with endpoint.serverless: SageMaker sizes canary and linear steps as an instance count or a percentage of the fleet (CapacitySize), and documents neither for a serverless endpoint, which has no instances; use "allAtOnce"`,
        ],
        [
            "serverless with monitoring off by default",
            base({ serverless: {}, rollout: {} }),
            "endpoint.rollout needs the endpoint alarms to roll back on, and monitoring is off for serverless endpoints by default; set monitoring.enabled: true",
        ],
        [
            "linear 10 % steps with 600 s bakes on 10 instances, longer than the provider waits",
            base({ instanceCount: 10, rollout: { trafficShifting: "linear", linearStepPercent: 10, bakeSeconds: 600 } }),
            "endpoint.rollout may take 7200 s (900 s to provision the new fleet, 10 bakes of bakeSeconds 600 s, finalBakeSeconds 300 s), longer than the 3600 s the AWS provider waits for an endpoint update, which customTimeouts cannot extend: pulumi up would fail while SageMaker carries on. Shorten bakeSeconds or finalBakeSeconds, or take larger steps",
        ],
        [
            "canary with hour-long bakes",
            base({ instanceCount: 2, rollout: { trafficShifting: "canary", bakeSeconds: 3600, finalBakeSeconds: 3600 } }),
            "endpoint.rollout may take 11700 s (900 s to provision the new fleet, 2 bakes of bakeSeconds 3600 s, finalBakeSeconds 3600 s), longer than the 3600 s the AWS provider waits for an endpoint update, which customTimeouts cannot extend: pulumi up would fail while SageMaker carries on. Shorten bakeSeconds or finalBakeSeconds, or take larger steps",
        ],
        [
            "linear 20 % on 9 instances with 600 s bakes: one instance a step, nine bakes",
            base({ instanceCount: 9, rollout: { trafficShifting: "linear", bakeSeconds: 600 } }),
            "endpoint.rollout may take 6600 s (900 s to provision the new fleet, 9 bakes of bakeSeconds 600 s, finalBakeSeconds 300 s), longer than the 3600 s the AWS provider waits for an endpoint update, which customTimeouts cannot extend: pulumi up would fail while SageMaker carries on. Shorten bakeSeconds or finalBakeSeconds, or take larger steps",
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

    it("takes the longest rollout that fits the provider's wait: provisioning, bake and final bake adding up to 3600 s", async () => {
        await build("iris", base({ rollout: { bakeSeconds: 2400, finalBakeSeconds: 300 } }));
        const policy = mocks.find(T.endpoint).inputs.deploymentConfig.blueGreenUpdatePolicy;
        assert.deepEqual([policy.trafficRoutingConfiguration.waitIntervalInSeconds, policy.terminationWaitInSeconds], [2400, 300]);
        refuses(base({ rollout: { bakeSeconds: 2401, finalBakeSeconds: 300 } }), rolloutTooLong(3601, 1, 2401, 300));
    });

    it("the defaults fit the wait in every mode, whatever the instance count", () => {
        for (const trafficShifting of ["allAtOnce", "canary", "linear"]) {
            const settings = rolloutSettings({ trafficShifting });
            for (let instances = 2; instances <= 200; instances++) {
                const { total } = rolloutWorstCaseSeconds(settings, instances);
                assert.ok(total <= PROVIDER_ENDPOINT_WAIT_SECONDS, `${trafficShifting} on ${instances} instances: ${total} s`);
            }
        }
        // linear bakes after each step, so its default bake is shorter, still over the rollback alarms' 180 s window
        assert.deepEqual([rolloutSettings({}).bakeSeconds, rolloutSettings({ trafficShifting: "linear" }).bakeSeconds], [600, 240]);
    });

    it("counts the bakes of each mode as AWS describes them, linear steps rounded down to whole instances", () => {
        const bakes = (rollout: object, instances: number) => rolloutBakes(rolloutSettings(rollout), instances);
        assert.equal(bakes({}, 4), 1);
        assert.equal(bakes({ trafficShifting: "canary" }, 4), 2);
        assert.equal(bakes({ trafficShifting: "linear", linearStepPercent: 20 }, 10), 5);
        assert.equal(bakes({ trafficShifting: "linear", linearStepPercent: 20 }, 9), 9);
        assert.equal(bakes({ trafficShifting: "linear", linearStepPercent: 50 }, 3), 3);
        assert.equal(bakes({ trafficShifting: "linear", linearStepPercent: 10 }, 100), 10);
    });

    it("a serverless endpoint may roll out all at once, baking and rolling back on its alarms", async () => {
        await build("iris", base({ serverless: {}, rollout: {} }, { monitoring: { enabled: true } }));
        const config = mocks.find(T.endpoint).inputs.deploymentConfig;
        assert.equal(config.blueGreenUpdatePolicy.trafficRoutingConfiguration.type, "ALL_AT_ONCE");
        assert.equal(config.blueGreenUpdatePolicy.trafficRoutingConfiguration.waitIntervalInSeconds, 600);
        assert.deepEqual(
            config.autoRollbackConfiguration.alarms.map((a: any) => a.alarmName),
            ["iris-alarm-endpoint-5xx-1234567", "iris-alarm-model-latency-1234567"],
        );
    });
});
