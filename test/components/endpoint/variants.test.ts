/**
 * Several production variants and a shadow (components/endpoint/variants.ts, endpoint.ts, model-api.ts): one
 * EndpointConfig carrying them all, a Model per distinct model, autoscaling, alarms and dashboard series per
 * variant, the role's reads and the function's list of variants.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { VARIANT_NAMES_ENV } from "../../../contract";
import { shadowWeight, variantKey } from "../../../components/endpoint/variants";
import { MAX_COMPONENT_NAME_LENGTH } from "../../../core/naming";
import { irisFixture, modelDir } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

describe("ModelApi variants", function () {
    this.timeout(60000);
    const { withEndpoint } = irisFixture();
    const v2Dir = modelDir({ "model.joblib": "weights-v2" });
    const v3Dir = modelDir({ "model.joblib": "weights-v3" });

    before(() => mocks.useMocks());

    describe("two production variants, 90/10", () => {
        before(async () => {
            await build(
                "fraud",
                withEndpoint({
                    instanceType: "ml.c5.xlarge",
                    instanceCount: 2,
                    autoscaling: { minCapacity: 1, maxCapacity: 4 },
                    variants: [
                        { name: "v1", weight: 90 },
                        { name: "v2", weight: 10, model: { path: v2Dir }, instanceCount: 1 },
                    ],
                }),
            );
        });

        it("one EndpointConfig holds both variants, with their names, weights and instance settings", () => {
            const config = mocks.find(T.config).inputs;
            const variants = config.productionVariants.map((v: any) => [
                v.variantName,
                v.initialVariantWeight,
                v.instanceType,
                v.initialInstanceCount,
            ]);
            assert.deepEqual(variants, [
                ["v1", 90, "ml.c5.xlarge", 2],
                ["v2", 10, "ml.c5.xlarge", 1],
            ]);
            assert.equal(config.shadowProductionVariants, undefined);
        });

        it("each variant serves its own Model: v1 the model of `models`, v2 its own archive", () => {
            const models = mocks.findAll(T.model);
            assert.equal(models.length, 2);
            const byName = new Map(models.map((m) => [`${m.name}-1234567`, m.inputs.primaryContainer.modelDataUrl]));
            const [v1, v2] = mocks.find(T.config).inputs.productionVariants;
            const archives = mocks.findAll(T.object).map((o) => o.inputs.key);
            assert.equal(archives.length, 2);
            assert.equal(byName.get(v1.modelName), `s3://fraud-artifacts-1234567/${archives[0]}`);
            assert.equal(byName.get(v2.modelName), `s3://fraud-artifacts-1234567/${archives[1]}`);
            assert.notEqual(archives[0], archives[1]);
            assert.match(archives[1], /^models\/iris\/[0-9a-f]{64}\/model\.tar\.gz$/);
        });

        it("each variant has its own scalable target and policy, on endpoint/<name>/variant/<variant>", () => {
            const endpoint = mocks.find(T.endpoint).inputs.name;
            const targets = mocks.findAll(T.scalingTarget);
            assert.deepEqual(
                targets.map((t) => t.inputs.resourceId),
                [`endpoint/${endpoint}/variant/v1`, `endpoint/${endpoint}/variant/v2`],
            );
            assert.deepEqual(
                targets.map((t) => t.name),
                [`fraud-scaling-target-${variantKey("v1")}`, `fraud-scaling-target-${variantKey("v2")}`],
            );
            assert.equal(mocks.findAll(T.scalingPolicy).length, 2);
        });

        it("each variant has its own endpoint alarms, on its VariantName", () => {
            const alarms = mocks
                .findAll(T.alarm)
                .filter((a) => a.inputs.namespace === "AWS/SageMaker" && a.inputs.metricName === "Invocation5XXErrors");
            assert.deepEqual(alarms.map((a) => a.inputs.dimensions.VariantName).sort(), ["v1", "v2"]);
            assert.ok(alarms.every((a) => a.inputs.dimensions.EndpointName === mocks.find(T.endpoint).inputs.name));
            assert.match(alarms.find((a) => a.inputs.dimensions.VariantName === "v2")!.inputs.alarmDescription, /variant v2/);
        });

        it("the dashboard draws the SageMaker series once per variant", () => {
            const body = JSON.parse(mocks.find(T.dashboard).inputs.dashboardBody);
            const requests = body.widgets.find((w: any) => w.properties?.title === "Requests").properties.metrics;
            const sagemaker = requests.filter((m: any) => m[0] === "AWS/SageMaker");
            assert.deepEqual(
                sagemaker.map((m: any) => [m[5], m[6].label]),
                [
                    ["v1", "v1 SageMaker"],
                    ["v2", "v2 SageMaker"],
                ],
            );
            const latency = body.widgets.find((w: any) => w.properties?.title?.startsWith("SageMaker model vs")).properties.metrics;
            const ids = latency.flatMap((m: any) =>
                m.filter((part: any) => typeof part === "object" && part.id).map((part: any) => part.id),
            );
            assert.equal(new Set(ids).size, ids.length, `metric ids repeat: ${ids}`);
            for (const m of latency) {
                const expression = m[0]?.expression;
                if (expression) assert.ok(ids.includes(expression.split(" ")[0]), `${expression} refers to no metric`);
            }
        });

        it("the function may pin the production variants", () => {
            assert.equal(mocks.find(T.fn).inputs.environment.variables[VARIANT_NAMES_ENV], "v1,v2");
        });

        it("the endpoint role reads the model's prefix, which holds both archives, once", () => {
            const reads = mocks.statement("fraud-endpoint-policy", "ReadModelArtifacts").Resource;
            assert.deepEqual(reads, ["arn:aws:s3:::fraud-artifacts-1234567/models/iris/*"]);
        });
    });

    describe("a shadow behind the one production variant", () => {
        before(async () => {
            await build(
                "fraud",
                withEndpoint(
                    { autoscaling: {}, shadow: { name: "v3", model: { path: v3Dir }, samplingPercent: 10, instanceType: "ml.c5.large" } },
                    { monitoring: { alarmTopicArns: ["arn:aws:sns:us-east-1:123456789012:oncall"] } },
                ),
            );
        });

        it("the EndpointConfig has shadowProductionVariants beside the implicit production variant of weight 1", () => {
            const config = mocks.find(T.config).inputs;
            assert.deepEqual(
                config.productionVariants.map((v: any) => [v.variantName, v.initialVariantWeight, v.instanceType]),
                [["AllTraffic", 1, "ml.m5.large"]],
            );
            assert.deepEqual(
                config.shadowProductionVariants.map((v: any) => [v.variantName, v.initialVariantWeight, v.instanceType]),
                [["v3", shadowWeight(10), "ml.c5.large"]],
            );
            assert.notEqual(config.shadowProductionVariants[0].modelName, config.productionVariants[0].modelName);
        });

        it("the shadow's weight is the sampled fraction as the 32-bit float SageMaker keeps, so it reads back unchanged", () => {
            assert.equal(shadowWeight(10), Math.fround(0.1));
            assert.equal(new Float32Array([shadowWeight(10)])[0], shadowWeight(10));
            assert.equal(shadowWeight(50), 0.5);
            assert.equal(shadowWeight(100), 1);
        });

        it("the production variant and the shadow start at autoscaling.minCapacity when no count is set", () => {
            const config = mocks.find(T.config);
            assert.deepEqual(config.inputs.productionVariants[0].initialInstanceCount, 1);
            assert.deepEqual(config.inputs.shadowProductionVariants[0].initialInstanceCount, 1);
        });

        it("the shadow scales on its own and has alarms that notify nobody; production's notify the topics", () => {
            const endpoint = mocks.find(T.endpoint).inputs.name;
            assert.deepEqual(
                mocks.findAll(T.scalingTarget).map((t) => [t.name, t.inputs.resourceId]),
                [
                    // The implicit variant keeps the target it had without a shadow: a renamed one would deregister it.
                    ["fraud-scaling-target", `endpoint/${endpoint}/variant/AllTraffic`],
                    [`fraud-scaling-target-${variantKey("v3")}`, `endpoint/${endpoint}/variant/v3`],
                ],
            );
            const fiveXx = mocks.findAll(T.alarm).filter((a) => a.inputs.metricName === "Invocation5XXErrors");
            const actions = Object.fromEntries(fiveXx.map((a) => [a.inputs.dimensions.VariantName, a.inputs.alarmActions]));
            assert.deepEqual(actions, { AllTraffic: ["arn:aws:sns:us-east-1:123456789012:oncall"], v3: [] });
        });

        it("without endpoint.variants the function gets no list of variants to pin", () => {
            assert.equal(mocks.find(T.fn).inputs.environment.variables[VARIANT_NAMES_ENV], undefined);
        });
    });

    describe("models shared and given in S3", () => {
        it("variants with the same model share one Model and one archive", async () => {
            await build(
                "fraud",
                withEndpoint({
                    variants: [
                        { name: "a", weight: 1 },
                        { name: "b", weight: 1, instanceType: "ml.c5.large" },
                    ],
                }),
            );
            assert.equal(mocks.findAll(T.model).length, 1);
            assert.equal(mocks.findAll(T.object).length, 1);
            const names = mocks.find(T.config).inputs.productionVariants.map((v: any) => v.modelName);
            assert.equal(names[0], names[1]);
        });

        it("a variant model given by s3Uri is read where it is, and only that object is added to the role's reads", async () => {
            await build(
                "fraud",
                withEndpoint({
                    variants: [
                        { name: "v1", weight: 1 },
                        { name: "v2", weight: 1, model: { s3Uri: "s3://other-bucket/v2/model.tar.gz" } },
                    ],
                }),
            );
            const urls = mocks.findAll(T.model).map((m) => m.inputs.primaryContainer.modelDataUrl);
            assert.ok(urls.includes("s3://other-bucket/v2/model.tar.gz"));
            const reads = mocks.statement("fraud-endpoint-policy", "ReadModelArtifacts").Resource;
            assert.deepEqual(reads, ["arn:aws:s3:::fraud-artifacts-1234567/models/iris/*", "arn:aws:s3:::other-bucket/v2/model.tar.gz"]);
        });
    });

    it("with the longest component name, every Model and EndpointConfig name stays within SageMaker's 63 characters", async () => {
        const name = "m".repeat(MAX_COMPONENT_NAME_LENGTH);
        await build(
            name,
            withEndpoint({
                variants: [
                    { name: "v".repeat(63), weight: 1 },
                    { name: "b", weight: 1, model: { path: v2Dir } },
                ],
            }),
        );
        const named = [...mocks.findAll(T.model), ...mocks.findAll(T.config)];
        assert.equal(named.length, 3);
        for (const r of named) {
            // Pulumi's auto-name adds a hyphen and 7 characters.
            assert.ok(`${r.name}-1234567`.length <= 63, r.name);
        }
    });

    it("a second build with the same arguments registers the same names and inputs", async () => {
        const args = () =>
            withEndpoint({
                autoscaling: {},
                variants: [
                    { name: "v1", weight: 3 },
                    { name: "v2", weight: 1, model: { path: v2Dir } },
                ],
            });
        const snapshot = () =>
            JSON.stringify(
                mocks
                    .all()
                    .filter((r) =>
                        [T.model, T.config, T.endpoint, T.scalingTarget, T.scalingPolicy, T.alarm, T.dashboard].includes(r.type as never),
                    )
                    .map((r) => [r.type, r.name, r.inputs]),
            );
        await build("fraud", args());
        const first = snapshot();
        await build("fraud", args());
        assert.equal(snapshot(), first);
        assert.ok(first.includes('"initialVariantWeight":3'));
    });

    it("a new autoscaling floor keeps the EndpointConfig when no variant sets its count, and a set count makes a new one", async () => {
        const configName = async (minCapacity: number, instanceCount?: number) => {
            await build(
                "fraud",
                withEndpoint({
                    autoscaling: { minCapacity, maxCapacity: 4 },
                    variants: [{ name: "v1", weight: 1 }],
                    shadow: { name: "v2", model: { path: v2Dir }, samplingPercent: 20, ...(instanceCount ? { instanceCount } : {}) },
                }),
            );
            return mocks.find(T.config).name;
        };
        const floorOne = await configName(1);
        assert.equal(await configName(2), floorOne);
        assert.notEqual(await configName(1, 3), floorOne);
    });

    it("a new model for one variant makes a new Model for it only, and a new EndpointConfig", async () => {
        const names = async (v2: string) => {
            await build(
                "fraud",
                withEndpoint({
                    variants: [
                        { name: "v1", weight: 1 },
                        { name: "v2", weight: 1, model: { path: v2 } },
                    ],
                }),
            );
            return { models: mocks.findAll(T.model).map((m) => m.name), config: mocks.find(T.config).name };
        };
        const before = await names(v2Dir);
        const after = await names(v3Dir);
        assert.equal(after.models.filter((n) => before.models.includes(n)).length, 1);
        assert.notEqual(after.config, before.config);
    });
});
