/**
 * The SageMaker side of the ModelApi graph (components/endpoint/endpoint.ts, autoscaling.ts, naming.ts): Model,
 * EndpointConfig, Endpoint and autoscaling, their defaults and options, and how updates are planned.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { endpointName } from "../../../components/endpoint/naming";
import { irisFixture, modelDir } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

const SCOPE = { organization: "org", project: "modelapi", stack: "test" };

describe("ModelApi endpoint", function () {
    this.timeout(30000);
    const { iris } = irisFixture();

    before(() => mocks.useMocks());

    describe("defaults", () => {
        before(async () => {
            await build("iris", iris());
        });

        it("the SageMaker model serves one model with network isolation on by default", () => {
            const model = mocks.find(T.model).inputs;
            assert.equal(model.enableNetworkIsolation, true);
            assert.equal(model.primaryContainer.mode, "SingleModel");
            assert.equal(model.primaryContainer.environment?.SAGEMAKER_MULTI_MODEL, undefined);
        });

        it("the endpoint defaults to one ml.m5.large instance with no autoscaling and no data capture", () => {
            const config = mocks.find(T.config).inputs;
            assert.equal(config.productionVariants.length, 1);
            const variant = config.productionVariants[0];
            assert.equal(variant.instanceType, "ml.m5.large");
            assert.equal(variant.initialInstanceCount, 1);
            assert.equal(variant.serverlessConfig, undefined);
            assert.equal(config.dataCaptureConfig, undefined);
            assert.equal(mocks.findAll(T.scalingTarget).length, 0);
            assert.equal(mocks.findAll(T.scalingPolicy).length, 0);
        });

        it("Model and EndpointConfig are auto-named; the endpoint's name is derived and stable", () => {
            assert.equal(mocks.find(T.model).inputs.name, undefined);
            assert.equal(mocks.find(T.config).inputs.name, undefined);
            const expected = endpointName("iris", SCOPE);
            assert.equal(mocks.find(T.endpoint).inputs.name, expected);
            assert.match(expected, /^iris-endpoint-[0-9a-f]{7}$/);
            assert.match(mocks.find(T.endpoint).inputs.endpointConfigName, /^iris-config-[0-9a-f]{5}-1234567$/);
        });
    });

    describe("options", () => {
        it("network isolation is off when asked", async () => {
            await build("iris", { ...iris(), endpoint: { networkIsolation: false } });
            assert.equal(mocks.find(T.model).inputs.enableNetworkIsolation, false);
        });

        it("instance type and count are passed to the production variant", async () => {
            await build("iris", { ...iris(), endpoint: { instanceType: "ml.c5.xlarge", instanceCount: 3 } });
            const variant = mocks.find(T.config).inputs.productionVariants[0];
            assert.deepEqual([variant.instanceType, variant.initialInstanceCount, variant.variantName], ["ml.c5.xlarge", 3, "AllTraffic"]);
        });

        it("serverless: memory and concurrency, no instances, no network isolation, Lambda told the 4 MB kind", async () => {
            await build("iris", { ...iris(), endpoint: { serverless: { memorySizeMb: 3072, maxConcurrency: 7 } } });
            const variant = mocks.find(T.config).inputs.productionVariants[0];
            assert.deepEqual(variant.serverlessConfig, { memorySizeInMb: 3072, maxConcurrency: 7 });
            assert.equal(variant.instanceType, undefined);
            assert.equal(variant.initialInstanceCount, undefined);
            assert.equal(mocks.find(T.model).inputs.enableNetworkIsolation, false);
            assert.equal(mocks.find(T.fn).inputs.environment.variables.ENDPOINT_KIND, "serverless");
        });

        it("serverless defaults to 2048 MB and a concurrency of 5", async () => {
            await build("iris", { ...iris(), endpoint: { serverless: {} } });
            assert.deepEqual(mocks.find(T.config).inputs.productionVariants[0].serverlessConfig, {
                memorySizeInMb: 2048,
                maxConcurrency: 5,
            });
        });

        it("autoscaling tracks invocations per instance with the given bounds and cooldowns", async () => {
            await build("iris", {
                ...iris(),
                endpoint: {
                    autoscaling: {
                        minCapacity: 2,
                        maxCapacity: 6,
                        targetInvocationsPerInstance: 250,
                        scaleInCooldownSeconds: 600,
                        scaleOutCooldownSeconds: 30,
                    },
                },
            });
            const target = mocks.find(T.scalingTarget).inputs;
            const name = endpointName("iris", SCOPE);
            assert.deepEqual(
                [target.serviceNamespace, target.scalableDimension, target.resourceId, target.minCapacity, target.maxCapacity],
                ["sagemaker", "sagemaker:variant:DesiredInstanceCount", `endpoint/${name}/variant/AllTraffic`, 2, 6],
            );
            const policy = mocks.find(T.scalingPolicy).inputs;
            assert.equal(policy.policyType, "TargetTrackingScaling");
            assert.equal(policy.resourceId, target.resourceId);
            assert.deepEqual(policy.targetTrackingScalingPolicyConfiguration, {
                targetValue: 250,
                predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
                scaleInCooldown: 600,
                scaleOutCooldown: 30,
            });
            // The endpoint starts at the autoscaling floor.
            assert.equal(mocks.find(T.config).inputs.productionVariants[0].initialInstanceCount, 2);
        });

        it("autoscaling defaults: 1 to 4 instances, 100 invocations per instance, cooldowns 300 s in and 60 s out", async () => {
            await build("iris", { ...iris(), endpoint: { autoscaling: {} } });
            const target = mocks.find(T.scalingTarget).inputs;
            assert.deepEqual([target.minCapacity, target.maxCapacity], [1, 4]);
            const config = mocks.find(T.scalingPolicy).inputs.targetTrackingScalingPolicyConfiguration;
            assert.deepEqual([config.targetValue, config.scaleInCooldown, config.scaleOutCooldown], [100, 300, 60]);
        });

        it("data capture writes requests and responses to the bucket's data-capture/ prefix", async () => {
            await build("iris", { ...iris(), endpoint: { dataCapture: { samplingPercentage: 20 } } });
            const capture = mocks.find(T.config).inputs.dataCaptureConfig;
            assert.equal(capture.enableCapture, true);
            assert.equal(capture.initialSamplingPercentage, 20);
            assert.equal(capture.destinationS3Uri, "s3://iris-artifacts-1234567/data-capture/");
            assert.deepEqual(capture.captureOptions, [{ captureMode: "Input" }, { captureMode: "Output" }]);
        });

        it("log retention of the endpoint's log group is configurable", async () => {
            await build("iris", { ...iris(), endpoint: { logRetentionDays: 90 } });
            assert.equal(mocks.find(T.logGroup, "iris-endpoint-logs").inputs.retentionInDays, 90);
        });

        it("container environment variables reach the SageMaker model", async () => {
            await build("iris", { ...iris(), endpoint: { environment: { SAGEMAKER_MODEL_SERVER_WORKERS: "2" } } });
            assert.deepEqual(mocks.find(T.model).inputs.primaryContainer.environment, { SAGEMAKER_MODEL_SERVER_WORKERS: "2" });
        });
    });

    describe("autoscaling and updates", () => {
        let warnings: string[];
        let saved: typeof console.warn;
        beforeEach(() => {
            warnings = [];
            saved = console.warn;
            // Without a Pulumi engine, pulumi.log.warn writes to console.warn.
            console.warn = (message: string) => warnings.push(message);
        });
        afterEach(() => {
            console.warn = saved;
        });

        it("warns at pulumi up that an update restarts an autoscaled endpoint at its instance count", async () => {
            await build("iris", { ...iris(), endpoint: { autoscaling: { minCapacity: 2, maxCapacity: 6 } } });
            assert.deepEqual(warnings, [
                `warning: [runtime] ModelApi "iris": with endpoint.autoscaling, an update that makes a new endpoint configuration ` +
                    `(a new model archive or image, another instance setting) restarts the endpoint at endpoint.instanceCount (2) ` +
                    `instances, even when autoscaling had scaled it out, until autoscaling scales out again. To keep capacity ` +
                    `through an update, set endpoint.instanceCount to the count you expect at that time (at most 6).`,
            ]);
        });

        it("gives no warning without autoscaling, or when autoscaling cannot scale out", async () => {
            await build("iris", { ...iris(), endpoint: { instanceCount: 2 } });
            await build("iris", { ...iris(), endpoint: { autoscaling: { minCapacity: 3, maxCapacity: 3 } } });
            assert.deepEqual(warnings, []);
        });
    });

    describe("updates", () => {
        it("a new model archive makes a new Model and EndpointConfig but updates the same endpoint", async () => {
            await build("iris", iris());
            const before = { model: mocks.find(T.model).inputs, endpoint: mocks.find(T.endpoint).inputs };
            await build("iris", { ...iris(), models: [{ name: "iris", path: modelDir({ "model.joblib": "weights-v2" }) }] });
            const after = { model: mocks.find(T.model).inputs, endpoint: mocks.find(T.endpoint).inputs };
            // Model inputs are immutable in SageMaker, so a changed modelDataUrl replaces the auto-named Model.
            assert.notEqual(after.model.primaryContainer.modelDataUrl, before.model.primaryContainer.modelDataUrl);
            assert.equal(after.endpoint.name, before.endpoint.name);
        });

        /** The endpoint's name, its log group's, and the name the Lambda calls, after building with these arguments. */
        async function endpointOf(
            endpoint: object,
            extra: object = {},
        ): Promise<{ name: string; logGroup: string; functionCalls: string; options: { [type: string]: unknown } }> {
            const options: { [type: string]: unknown } = {};
            await build(
                "iris",
                { ...iris(), endpoint, ...extra },
                {
                    transformations: [
                        (a) => {
                            if (a.type === T.endpoint || (a.type === T.logGroup && a.name === "iris-endpoint-logs")) {
                                options[a.type] = (a.opts as pulumi.CustomResourceOptions).deleteBeforeReplace;
                            }
                            return undefined;
                        },
                    ],
                },
            );
            return {
                name: mocks.find(T.endpoint).inputs.name,
                logGroup: mocks.find(T.logGroup, "iris-endpoint-logs").inputs.name,
                functionCalls: mocks.find(T.fn).inputs.environment.variables.ENDPOINT_NAME,
                options,
            };
        }

        it("the endpoint and its log group are replaced create-first: deleteBeforeReplace is false, never the provider's true", async () => {
            for (const endpoint of [{}, { serverless: {} }, { instanceCount: 2, rollout: { trafficShifting: "canary" } }]) {
                const { options } = await endpointOf(endpoint);
                assert.deepEqual(options, { [T.endpoint]: false, [T.logGroup]: false }, JSON.stringify(endpoint));
            }
        });

        it("real-time to serverless changes the endpoint's name, so the endpoint is replaced, not updated in place", async () => {
            const realtime = await endpointOf({ instanceType: "ml.m5.large" });
            const serverless = await endpointOf({ serverless: {} });
            assert.notEqual(serverless.name, realtime.name);
            assert.match(serverless.name, /^iris-endpoint-[0-9a-f]{7}$/);
            assert.equal(serverless.name, endpointName("iris", SCOPE, { kind: "serverless", autoRollback: false }));
            assert.equal(serverless.logGroup, `/aws/sagemaker/Endpoints/${serverless.name}`);
        });

        it("serverless to real-time changes the name back, so that direction is a replacement too", async () => {
            const serverless = await endpointOf({ serverless: { memorySizeMb: 1024 } });
            const realtime = await endpointOf({ autoscaling: {} });
            assert.notEqual(realtime.name, serverless.name);
            assert.equal(realtime.name, endpointName("iris", SCOPE));
            assert.equal(mocks.find(T.scalingTarget).inputs.resourceId, `endpoint/${realtime.name}/variant/AllTraffic`);
        });

        it("turning endpoint.rollout on or off changes the name: the provider replaces the endpoint when its auto-rollback block comes or goes", async () => {
            const plain = await endpointOf({ instanceCount: 2 });
            const guarded = await endpointOf({ instanceCount: 2, rollout: {} });
            assert.notEqual(guarded.name, plain.name);
            assert.equal(guarded.name, endpointName("iris", SCOPE, { kind: "realtime", autoRollback: true }));
            assert.equal(guarded.logGroup, `/aws/sagemaker/Endpoints/${guarded.name}`);
            assert.ok(mocks.find(T.endpoint).inputs.deploymentConfig.autoRollbackConfiguration);
            assert.equal((await endpointOf({ instanceCount: 2 })).name, plain.name);
        });

        it("the Lambda calls whichever endpoint the name points at, so it moves to a replacement before the old one is deleted", async () => {
            for (const endpoint of [{}, { serverless: {} }, { instanceCount: 2, rollout: {} }]) {
                const { name, functionCalls } = await endpointOf(endpoint);
                assert.equal(functionCalls, name, JSON.stringify(endpoint));
            }
        });

        it("what the provider updates in place keeps the name: which alarms roll back, the bakes, the traffic shifting", async () => {
            const rollout = { instanceCount: 2, rollout: {} };
            const both = await endpointOf(rollout);
            const onlyErrors = await endpointOf(rollout, { monitoring: { alarms: { modelLatency: { enabled: false } } } });
            assert.deepEqual(
                mocks.find(T.endpoint).inputs.deploymentConfig.autoRollbackConfiguration.alarms.map((a: any) => a.alarmName),
                ["iris-alarm-endpoint-5xx-1234567"],
            );
            assert.equal(onlyErrors.name, both.name);
            const canary = await endpointOf({ instanceCount: 2, rollout: { trafficShifting: "canary", bakeSeconds: 300 } });
            assert.equal(canary.name, both.name);
        });

        it("changes within a kind keep the name: instance type and count, serverless memory", async () => {
            assert.equal((await endpointOf({ instanceType: "ml.c5.xlarge", instanceCount: 2 })).name, (await endpointOf({})).name);
            assert.equal((await endpointOf({ serverless: { memorySizeMb: 4096 } })).name, (await endpointOf({ serverless: {} })).name);
        });

        it("an endpoint without a rollout keeps the name it had before the kind and the rollback were part of it", () => {
            const legacy = (identity: string) => crypto.createHash("sha256").update(identity).digest("hex").slice(0, 7);
            assert.equal(endpointName("iris", SCOPE), `iris-endpoint-${legacy("org/modelapi/test/iris")}`);
            assert.equal(
                endpointName("iris", SCOPE, { kind: "realtime", autoRollback: false }),
                `iris-endpoint-${legacy("org/modelapi/test/iris")}`,
            );
            assert.equal(
                endpointName("iris", SCOPE, { kind: "serverless", autoRollback: false }),
                `iris-endpoint-${legacy("org/modelapi/test/iris/serverless")}`,
            );
        });
    });
});
