/**
 * Guarded rollouts and rolled-back updates under Pulumi mocks: the deployment config is what the arguments
 * say and rolls back on the component's own alarms, the role may describe exactly those, refused combinations
 * throw before anything is created, and an update SageMaker rolled back fails instead of deleting what the
 * endpoint still runs.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApi, ModelApiArgs } from "../../../components";
import { checkLiveConfig } from "../../../components/endpoint/generation";
import { imageContext, modelDir } from "../fixtures";
import { build } from "../harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ENDPOINT = "aws:sagemaker/endpoint:Endpoint";

describe("ModelApi rollouts", function () {
    this.timeout(60000);
    const dir = modelDir();
    const context = imageContext();
    const base = (endpoint: ModelApiArgs["endpoint"], extra: Partial<ModelApiArgs> = {}): ModelApiArgs => ({
        models: [{ name: "iris", path: dir }],
        image: { context },
        endpoint,
        ...extra,
    });

    before(() => mocks.useMocks());

    it("without a rollout the endpoint has no deployment config and the role no CloudWatch access", async () => {
        await build("iris", base({}));
        assert.equal(mocks.find(ENDPOINT).inputs.deploymentConfig, undefined);
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
        assert.deepEqual(mocks.find(ENDPOINT).inputs.deploymentConfig, {
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
        assert.ok(alarmNames.every((n) => mocks.findAll(ALARM).some((a) => `${a.name}-1234567` === n)));
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
        assert.deepEqual(mocks.find(ENDPOINT).inputs.deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration, {
            type: "LINEAR",
            waitIntervalInSeconds: 600,
            linearStepSize: { type: "CAPACITY_PERCENT", value: 50 },
        });
    });

    it("defaults: all at once, 600 s bake, 300 s final bake; a disabled latency alarm leaves 5xx alone to roll back on", async () => {
        await build("iris", base({ rollout: {} }, { monitoring: { alarms: { modelLatency: { enabled: false } } } }));
        const config = mocks.find(ENDPOINT).inputs.deploymentConfig;
        assert.deepEqual(config.blueGreenUpdatePolicy, {
            trafficRoutingConfiguration: { type: "ALL_AT_ONCE", waitIntervalInSeconds: 600 },
            terminationWaitInSeconds: 300,
        });
        assert.deepEqual(config.autoRollbackConfiguration.alarms, [{ alarmName: "iris-alarm-endpoint-5xx-1234567" }]);
    });

    describe("refused before anything is created", () => {
        const refuses = (args: ModelApiArgs, message: string) => {
            mocks.reset();
            assert.throws(() => new ModelApi("iris", args), { name: "ArgumentError", message: `ModelApi "iris": ${message}` });
            assert.equal(mocks.all().length, 0);
        };
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
            [
                "CPU alarm on serverless",
                base({ serverless: {} }, { monitoring: { enabled: true, alarms: { cpuUtilization: { enabled: true } } } }),
                "monitoring.alarms.cpuUtilization cannot be enabled with endpoint.serverless: serverless endpoints do not publish instance utilization metrics",
            ],
            [
                "unknown alarm",
                base({}, { monitoring: { alarms: { latency: {} } as any } }),
                'monitoring.alarms has an unknown alarm "latency"; expected one of endpoint5xx, endpoint4xx, modelLatency, cpuUtilization, memoryUtilization, api5xx, apiLatency, functionErrors, functionThrottles',
            ],
            [
                "rate above 1",
                base({}, { monitoring: { alarms: { api5xx: { threshold: 5 } } } }),
                "monitoring.alarms.api5xx.threshold is an error rate from 0 to 1 (0.05 is 5 %); got 5",
            ],
            [
                "period of 45 s",
                base({}, { monitoring: { alarms: { apiLatency: { periodSeconds: 45 } } } }),
                "monitoring.alarms.apiLatency.periodSeconds must be 10, 20, 30 or a multiple of 60; got 45",
            ],
            [
                "more datapoints than periods",
                base({}, { monitoring: { alarms: { functionErrors: { datapointsToAlarm: 4 } } } }),
                "monitoring.alarms.functionErrors.datapointsToAlarm must be an integer from 1 to evaluationPeriods (3); got 4",
            ],
            [
                "not an SNS ARN",
                base({}, { monitoring: { alarmTopicArns: ["arn:aws:sqs:us-east-1:123456789012:q"] } }),
                `monitoring.alarmTopicArns[0] must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alerts; got "arn:aws:sqs:us-east-1:123456789012:q"`,
            ],
        ];
        for (const [what, args, message] of cases) {
            it(what, () => refuses(args, message));
        }
    });

    describe("an update SageMaker rolled back", () => {
        after(() => mocks.liveEndpointConfigs.clear());

        it("outputs the live endpoint config when the endpoint runs the one deployed", async () => {
            const api = await build("iris", base({}));
            assert.equal(await mocks.promiseOf(api.endpointConfigName), mocks.find(ENDPOINT).inputs.endpointConfigName);
        });

        it("fails the update with what happened and what to do, when the endpoint still runs the previous config", async () => {
            mocks.liveEndpointConfigs.clear();
            const probe = await build("iris", base({}));
            mocks.liveEndpointConfigs.set(await mocks.promiseOf(probe.endpointName), "iris-config-00000-1234567");
            mocks.reset();
            const api = new ModelApi("iris", base({}), { transformations: [mocks.recordParents] });
            const failure = await new Promise<Error>((resolve) => {
                (api.endpointConfigName as any).promise().then(() => resolve(new Error("no failure")), resolve);
            });
            assert.match(
                failure.message,
                /runs endpoint config iris-config-00000-1234567, not iris-config-[0-9a-f]{5}-1234567 that this update deployed: SageMaker rolled the update back/,
            );
            assert.match(
                failure.message,
                /nothing it uses was deleted\. Fix or revert the change, run `pulumi refresh`, then `pulumi up`\./,
            );
            await mocks.settle();
        });

        it("the check compares the live config with the one this program deployed", () => {
            assert.equal(checkLiveConfig("iris", "e", "c-2", { EndpointConfigName: "c-2" }), "c-2");
            assert.throws(() => checkLiveConfig("iris", "e", "c-2", { EndpointConfigName: "c-1" }), /runs endpoint config c-1, not c-2/);
        });

        it("a new model version is a new generation of Model and EndpointConfig, never a replacement of the live one", async () => {
            await build("iris", base({}));
            const first = mocks
                .all()
                .filter((r) => r.type.startsWith("aws:sagemaker/model") || r.type.startsWith("aws:sagemaker/endpointConfiguration"))
                .map((r) => r.name);
            await build("iris", { ...base({}), models: [{ name: "iris", path: modelDir({ "model.joblib": "weights-v2" }) }] });
            const second = mocks
                .all()
                .filter((r) => r.type.startsWith("aws:sagemaker/model") || r.type.startsWith("aws:sagemaker/endpointConfiguration"))
                .map((r) => r.name);
            assert.equal(first.length, 2);
            assert.equal(second.length, 2);
            assert.deepEqual(
                first.filter((n) => second.includes(n)),
                [],
                `${first} vs ${second}`,
            );
            await build("iris", base({}));
            assert.deepEqual(
                mocks
                    .all()
                    .filter((r) => r.type.startsWith("aws:sagemaker/model") || r.type.startsWith("aws:sagemaker/endpointConfiguration"))
                    .map((r) => r.name),
                first,
            );
        });

        it("a superseded single-model archive is retained (the bucket's forceDestroy still empties it on destroy)", async () => {
            mocks.useMocks();
            mocks.reset();
            const retained: { [type: string]: boolean | undefined } = {};
            new ModelApi("iris", base({}), {
                transformations: [
                    mocks.recordParents,
                    (a) => {
                        retained[a.type] = a.opts.retainOnDelete;
                        return undefined;
                    },
                ],
            });
            await mocks.settle();
            assert.equal(retained["aws:s3/bucketObjectv2:BucketObjectv2"], true);
            assert.equal(retained["aws:sagemaker/model:Model"], undefined);
            assert.equal(mocks.find("aws:s3/bucket:Bucket").inputs.forceDestroy, true);
        });
    });
});
