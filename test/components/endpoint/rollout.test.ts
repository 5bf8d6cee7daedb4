/**
 * Guarded rollouts under Pulumi mocks (components/endpoint/rollout.ts): the deployment config is what the
 * arguments say and rolls back on the component's own alarms, and the role may describe exactly those.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { irisFixture } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

describe("ModelApi rollouts", function () {
    this.timeout(60000);
    const { withEndpoint: base } = irisFixture();

    before(() => mocks.useMocks());

    it("without a rollout the endpoint has no deployment config and the role no CloudWatch access", async () => {
        await build("iris", base({}));
        assert.equal(mocks.find(T.endpoint).inputs.deploymentConfig, undefined);
        assert.throws(() => mocks.statement("iris-endpoint-policy", "ReadRollbackAlarms"), /has no statement/);
    });

    it("canary: blue/green with the canary share, bakes, and auto-rollback on the component's own 5xx and latency alarms", async () => {
        await build(
            "iris",
            base({
                instanceCount: 2,
                rollout: { trafficShifting: "canary", canaryPercent: 25, bakeSeconds: 900, finalBakeSeconds: 120, maximumSeconds: 3600 },
            }),
        );
        const alarmNames = ["endpoint-5xx", "model-latency"].map((s) => `iris-alarm-${s}-1234567`);
        assert.deepEqual(mocks.find(T.endpoint).inputs.deploymentConfig, {
            blueGreenUpdatePolicy: {
                trafficRoutingConfiguration: {
                    type: "CANARY",
                    waitIntervalInSeconds: 900,
                    canarySize: { type: "CAPACITY_PERCENT", value: 25 },
                },
                terminationWaitInSeconds: 120,
                maximumExecutionTimeoutInSeconds: 3600,
            },
            autoRollbackConfiguration: { alarms: alarmNames.map((alarmName) => ({ alarmName })) },
        });
        assert.ok(alarmNames.every((n) => mocks.findAll(T.alarm).some((a) => `${a.name}-1234567` === n)));
    });

    it("the endpoint role may describe exactly the rollback alarms, nothing else and not *", async () => {
        await build("iris", base({ instanceCount: 2, rollout: { trafficShifting: "linear", linearStepPercent: 50 } }));
        const s = mocks.statement("iris-endpoint-policy", "ReadRollbackAlarms");
        assert.deepEqual(s.Action, ["cloudwatch:DescribeAlarms"]);
        assert.deepEqual(
            s.Resource,
            ["endpoint-5xx", "model-latency"].map(
                (k) => `arn:aws:cloudwatch:${mocks.REGION}:${mocks.ACCOUNT}:alarm:iris-alarm-${k}-1234567`,
            ),
        );
        assert.deepEqual(mocks.find(T.endpoint).inputs.deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration, {
            type: "LINEAR",
            // linear's own default bake
            waitIntervalInSeconds: 240,
            linearStepSize: { type: "CAPACITY_PERCENT", value: 50 },
        });
    });

    it("defaults: all at once, 600 s bake, 300 s final bake; a disabled latency alarm leaves 5xx alone to roll back on", async () => {
        await build("iris", base({ rollout: {} }, { monitoring: { alarms: { modelLatency: { enabled: false } } } }));
        const config = mocks.find(T.endpoint).inputs.deploymentConfig;
        assert.deepEqual(config.blueGreenUpdatePolicy, {
            trafficRoutingConfiguration: { type: "ALL_AT_ONCE", waitIntervalInSeconds: 600 },
            terminationWaitInSeconds: 300,
        });
        assert.deepEqual(config.autoRollbackConfiguration.alarms, [{ alarmName: "iris-alarm-endpoint-5xx-1234567" }]);
    });
});
