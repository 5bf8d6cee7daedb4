/**
 * Model generations (components/endpoint/generation.ts): each version of model, image and endpoint settings is
 * a new Model and EndpointConfig, and an update SageMaker rolled back fails instead of deleting what the
 * endpoint still runs.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ModelApi, ModelApiArgs } from "../../../components";
import { DEFAULTED_INSTANCE_COUNT } from "../../../components/endpoint/endpoint";
import { checkLiveConfig } from "../../../components/endpoint/generation";
import { imageContext, irisFixture, modelDir } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

describe("ModelApi generations: an update SageMaker rolled back", function () {
    this.timeout(60000);
    const { withEndpoint: base } = irisFixture();

    before(() => mocks.useMocks());

    after(() => mocks.liveEndpointConfigs.clear());

    it("outputs the live endpoint config when the endpoint runs the one deployed", async () => {
        const api = await build("iris", base({}));
        assert.equal(await mocks.promiseOf(api.endpointConfigName), mocks.find(T.endpoint).inputs.endpointConfigName);
    });

    /** Builds the API while AWS reports the endpoint running another config, and returns how its config output ends. */
    async function afterRollback(preview: boolean): Promise<{ failure?: Error; config?: string; deployed: string }> {
        mocks.liveEndpointConfigs.clear();
        const probe = await build("iris", base({}));
        mocks.liveEndpointConfigs.set(await mocks.promiseOf(probe.endpointName), "iris-config-00000-1234567");
        mocks.useMocks(preview);
        mocks.reset();
        try {
            const api = new ModelApi("iris", base({}), { transformations: [mocks.recordParents] });
            const result = await (api.endpointConfigName as any).promise().then(
                (config: string) => ({ config }),
                (failure: Error) => ({ failure }),
            );
            await mocks.settle();
            return { ...result, deployed: mocks.find(T.endpoint).inputs.endpointConfigName };
        } finally {
            mocks.useMocks();
            mocks.liveEndpointConfigs.clear();
        }
    }

    it("fails the update with what happened and what to do, when the endpoint still runs the previous config", async () => {
        const { failure } = await afterRollback(false);
        assert.ok(failure, "the update did not fail");
        assert.match(
            failure.message,
            /runs endpoint config iris-config-00000-1234567, not iris-config-[0-9a-f]{5}-1234567 that this update deployed: SageMaker rolled the update back/,
        );
        assert.match(
            failure.message,
            /nothing it uses was deleted\. Run `pulumi refresh` \(it records the config the endpoint really runs\), then `pulumi up` again: with the change fixed or reverted, or unchanged to retry a transient failure\.$/,
        );
        assert.deepEqual(
            mocks.called().filter((t) => t.startsWith("aws:cloudcontrol")),
            ["aws:cloudcontrol/getResource:getResource"],
        );
    });

    it("a preview never reads the endpoint back, so it passes after a rollback and a plain retry can run", async () => {
        const { failure, config, deployed } = await afterRollback(true);
        assert.equal(failure, undefined);
        assert.equal(config, deployed);
        assert.deepEqual(
            mocks.called().filter((t) => t.startsWith("aws:cloudcontrol")),
            [],
        );
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

    it("a new image is a new generation too: another image URI, or another build context, renames Model and EndpointConfig", async () => {
        const generation = async (args: ModelApiArgs) => {
            await build("iris", args);
            return [mocks.find(T.model).name, mocks.find(T.config).name];
        };
        const uri = (tag: string) => ({ uri: `111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:${tag}` });
        const first = await generation(base({}, { image: uri("1") }));
        assert.deepEqual(await generation(base({}, { image: uri("1") })), first);
        const second = await generation(base({}, { image: uri("2") }));
        assert.ok(
            second.every((n) => !first.includes(n)),
            `${first} vs ${second}`,
        );
        const built = await generation(
            base({}, { image: { context: imageContext({ Dockerfile: "FROM scratch\n", "serve.py": "v2\n" }) } }),
        );
        const rebuilt = await generation(
            base({}, { image: { context: imageContext({ Dockerfile: "FROM scratch\n", "serve.py": "v3\n" }) } }),
        );
        assert.ok(
            rebuilt.every((n) => !built.includes(n)),
            `${built} vs ${rebuilt}`,
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

/**
 * The inputs of aws.sagemaker.Model and aws.sagemaker.EndpointConfiguration that replace the resource, in
 * Pulumi's names. terraform-provider-aws updates nothing but tags in place ("Tags only." in
 * `resourceModelUpdate`, internal/service/sagemaker/model.go, and `resourceEndpointConfigurationUpdate`,
 * endpoint_configuration.go), and marks every other argument ForceNew, at its top level or on each leaf of its
 * block (`resourceModel` and `resourceEndpointConfiguration` schemas).
 */
const REPLACING: { [type: string]: string[] } = {
    [T.model]: [
        "executionRoleArn",
        "enableNetworkIsolation",
        "inferenceExecutionConfig",
        "vpcConfig.subnets",
        "vpcConfig.securityGroupIds",
        "containers",
        "primaryContainer.image",
        "primaryContainer.mode",
        "primaryContainer.modelDataUrl",
        "primaryContainer.environment",
        "primaryContainer.containerHostname",
        "primaryContainer.imageConfig",
        "primaryContainer.modelPackageName",
        "primaryContainer.modelDataSource",
        "primaryContainer.additionalModelDataSources",
        "primaryContainer.inferenceSpecificationName",
        "primaryContainer.multiModelConfig",
    ],
    [T.config]: [
        "kmsKeyArn",
        "asyncInferenceConfig",
        "shadowProductionVariants",
        "dataCaptureConfig.enableCapture",
        "dataCaptureConfig.initialSamplingPercentage",
        "dataCaptureConfig.destinationS3Uri",
        "dataCaptureConfig.kmsKeyId",
        "dataCaptureConfig.captureOptions.captureMode",
        "dataCaptureConfig.captureContentTypeHeader",
        "productionVariants.variantName",
        "productionVariants.modelName",
        "productionVariants.instanceType",
        "productionVariants.initialInstanceCount",
        "productionVariants.initialVariantWeight",
        "productionVariants.acceleratorType",
        "productionVariants.volumeSizeInGb",
        "productionVariants.modelDataDownloadTimeoutInSeconds",
        "productionVariants.containerStartupHealthCheckTimeoutInSeconds",
        "productionVariants.enableSsmAccess",
        "productionVariants.inferenceAmiVersion",
        "productionVariants.coreDumpConfig",
        "productionVariants.routingConfigs",
        "productionVariants.managedInstanceScaling",
        "productionVariants.capacityReservationConfig",
        "productionVariants.serverlessConfig.memorySizeInMb",
        "productionVariants.serverlessConfig.maxConcurrency",
        "productionVariants.serverlessConfig.provisionedConcurrency",
    ],
};

/** Where a resource's input sits: `type field.path`. */
const at = (type: string, field: string) => `${type === T.model ? "Model" : "EndpointConfig"} ${field}`;

/** The replacing inputs a resource was given (tags aside), and anything it was given that is not in REPLACING. */
function inputsOf(type: string, inputs: any): { field: string; value: unknown }[] {
    const found: { field: string; value: unknown }[] = [];
    const walk = (value: any, path: string) => {
        if (value === undefined || path === "tags") return;
        if (REPLACING[type].includes(path) || value === null || typeof value !== "object") {
            found.push({ field: path, value });
        } else if (Array.isArray(value)) {
            value.forEach((item) => walk(item, path));
        } else {
            for (const [key, item] of Object.entries(value)) walk(item, path ? `${path}.${key}` : key);
        }
    };
    walk(inputs, "");
    return found;
}

describe("ModelApi generations: every input that replaces a Model or EndpointConfig is in the generation", function () {
    this.timeout(600000);
    const { iris } = irisFixture();
    const network = { subnetIds: ["subnet-0a1", "subnet-0b2"], securityGroupIds: ["sg-0c3"] };
    const key = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
    const realtime = (extra: Partial<ModelApiArgs> = {}, endpoint: object = {}): ModelApiArgs => ({
        ...iris(),
        endpoint: { instanceCount: 2, dataCapture: { samplingPercentage: 50 }, environment: { LEVEL: "1" }, ...endpoint },
        network,
        artifacts: { kmsKeyArn: key("one") },
        ...extra,
    });
    const serverless = (endpoint: object = {}): ModelApiArgs => ({ ...iris(), endpoint: { serverless: { ...endpoint } } });

    /** A change of the arguments that changes the field, or why the field cannot change for one component. */
    type Coverage = { change: () => ModelApiArgs; base: () => ModelApiArgs; what: string } | { fixed: string };
    const COVERAGE: { [field: string]: Coverage } = {
        [at(T.model, "executionRoleArn")]: { fixed: "the component's own role, auto-named with no input that replaces it" },
        [at(T.model, "enableNetworkIsolation")]: {
            what: "endpoint.networkIsolation",
            base: realtime,
            change: () => realtime({}, { networkIsolation: false }),
        },
        [at(T.model, "vpcConfig.subnets")]: {
            what: "network.subnetIds",
            base: realtime,
            change: () => realtime({ network: { ...network, subnetIds: ["subnet-0a1", "subnet-0d4"] } }),
        },
        [at(T.model, "vpcConfig.securityGroupIds")]: {
            what: "network.securityGroupIds",
            base: realtime,
            change: () => realtime({ network: { ...network, securityGroupIds: ["sg-0e5"] } }),
        },
        [at(T.model, "primaryContainer.image")]: {
            what: "the image's files",
            base: realtime,
            change: () => realtime({ image: { context: imageContext({ Dockerfile: "FROM scratch\n", "serve.py": "v9\n" }) } }),
        },
        [at(T.model, "primaryContainer.modelDataUrl")]: {
            what: "the model's name",
            base: realtime,
            change: () => realtime({ models: [{ name: "iris2", path: iris().models[0].path }] }),
        },
        [at(T.model, "primaryContainer.mode")]: { what: "multiModel", base: realtime, change: () => realtime({ multiModel: true }) },
        [at(T.model, "primaryContainer.environment")]: {
            what: "endpoint.environment",
            base: realtime,
            change: () => realtime({}, { environment: { LEVEL: "2" } }),
        },
        [at(T.config, "productionVariants.variantName")]: { fixed: "the one production variant, AllTraffic" },
        [at(T.config, "productionVariants.modelName")]: { fixed: "the Model of the same generation, named by the same hash" },
        [at(T.config, "productionVariants.instanceType")]: {
            what: "endpoint.instanceType",
            base: realtime,
            change: () => realtime({}, { instanceType: "ml.c5.xlarge" }),
        },
        [at(T.config, "productionVariants.initialInstanceCount")]: {
            what: "endpoint.instanceCount",
            base: realtime,
            change: () => realtime({}, { instanceCount: 3 }),
        },
        [at(T.config, "productionVariants.serverlessConfig.memorySizeInMb")]: {
            what: "endpoint.serverless.memorySizeMb",
            base: serverless,
            change: () => serverless({ memorySizeMb: 4096 }),
        },
        [at(T.config, "productionVariants.serverlessConfig.maxConcurrency")]: {
            what: "endpoint.serverless.maxConcurrency",
            base: serverless,
            change: () => serverless({ maxConcurrency: 9 }),
        },
        [at(T.config, "dataCaptureConfig.initialSamplingPercentage")]: {
            what: "endpoint.dataCapture.samplingPercentage",
            base: realtime,
            change: () => realtime({}, { dataCapture: { samplingPercentage: 20 } }),
        },
        [at(T.config, "dataCaptureConfig.kmsKeyId")]: {
            what: "artifacts.kmsKeyArn",
            base: realtime,
            change: () => realtime({ artifacts: { kmsKeyArn: key("two") } }),
        },
        [at(T.config, "dataCaptureConfig.enableCapture")]: {
            what: "endpoint.dataCapture on or off",
            base: realtime,
            change: () => realtime({}, { dataCapture: undefined }),
        },
        [at(T.config, "dataCaptureConfig.captureOptions.captureMode")]: {
            what: "endpoint.dataCapture on or off",
            base: realtime,
            change: () => realtime({}, { dataCapture: undefined }),
        },
        [at(T.config, "dataCaptureConfig.destinationS3Uri")]: {
            fixed: "the component's own bucket, auto-named with no input that replaces it (the block's presence is endpoint.dataCapture)",
        },
    };

    /** The generation's two resources after a build: their logical names and replacing inputs. */
    async function generationOf(args: ModelApiArgs): Promise<{ names: string[]; inputs: Map<string, unknown> }> {
        await build("iris", args);
        const inputs = new Map<string, unknown>();
        for (const type of [T.model, T.config]) {
            for (const { field, value } of inputsOf(type, mocks.find(type).inputs)) inputs.set(at(type, field), value);
        }
        return { names: [mocks.find(T.model).name, mocks.find(T.config).name], inputs };
    }

    before(() => mocks.useMocks());

    const seen = new Map<string, unknown[]>();
    const record = (generation: { inputs: Map<string, unknown> }) => {
        for (const [field, value] of generation.inputs) seen.set(field, [...(seen.get(field) ?? []), value]);
    };

    for (const [field, coverage] of Object.entries(COVERAGE)) {
        if ("fixed" in coverage) continue;
        it(`${field}: a change of ${coverage.what} makes a new Model and EndpointConfig`, async () => {
            const before = await generationOf(coverage.base());
            const after = await generationOf(coverage.change());
            record(before);
            record(after);
            assert.notDeepEqual(after.inputs.get(field), before.inputs.get(field), `${coverage.what} did not change ${field}`);
            for (const name of after.names) assert.ok(!before.names.includes(name), `${name} kept its name after a change of ${field}`);
        });
    }

    it("every replacing input the component sets is covered: changed above, or fixed for the component", () => {
        assert.ok(seen.size > 0, "the changes above recorded no inputs");
        for (const field of seen.keys()) {
            const [type, path] = field.split(" ");
            assert.ok(REPLACING[type === "Model" ? T.model : T.config].includes(path), `${field} is not an input the provider lists`);
            assert.ok(COVERAGE[field], `${field} replaces the resource, and no change of it is checked to make a new generation`);
        }
        for (const [field, coverage] of Object.entries(COVERAGE)) {
            if ("fixed" in coverage) {
                const values = seen.get(field) ?? [];
                assert.ok(values.length > 0, `${field} was never set`);
                if (!field.endsWith("modelName")) {
                    assert.ok(
                        values.every((v) => JSON.stringify(v) === JSON.stringify(values[0])),
                        `${field} (${coverage.fixed}) took several values: ${values.map((v) => JSON.stringify(v))}`,
                    );
                }
            }
        }
    });

    it("the EndpointConfig runs the Model of its own generation", async () => {
        await build("iris", realtime());
        const model = mocks.find(T.model);
        const config = mocks.find(T.config);
        assert.equal(config.inputs.productionVariants[0].modelName, `${model.name}-1234567`);
        assert.equal(config.name.replace("-config-", "-model-"), model.name);
    });

    it("changing network subnet ids changes the Model's and EndpointConfig's logical names; their order does not", async () => {
        const first = await generationOf(realtime());
        const other = await generationOf(realtime({ network: { ...network, subnetIds: ["subnet-0a1", "subnet-0ff"] } }));
        const reordered = await generationOf(realtime({ network: { ...network, subnetIds: ["subnet-0b2", "subnet-0a1"] } }));
        assert.ok(
            other.names.every((n) => !first.names.includes(n)),
            `${first.names} vs ${other.names}`,
        );
        assert.deepEqual(reordered.names, first.names);
    });

    it("a new autoscaling floor with instanceCount unset deploys nothing new: the defaulted count is ignored on update", async () => {
        const options: { [name: string]: unknown } = {};
        const capture: pulumi.ResourceTransformation = (a) => {
            if (a.type === T.config) options[a.name] = a.opts.ignoreChanges;
            return undefined;
        };
        const floor = async (minCapacity: number) => {
            await build("iris", { ...iris(), endpoint: { autoscaling: { minCapacity, maxCapacity: 6 } } }, { transformations: [capture] });
            return {
                names: [mocks.find(T.model).name, mocks.find(T.config).name],
                count: mocks.find(T.config).inputs.productionVariants[0],
            };
        };
        const saved = console.warn;
        console.warn = () => undefined; // the autoscaling update warning
        try {
            const two = await floor(2);
            const three = await floor(3);
            assert.deepEqual(three.names, two.names);
            assert.deepEqual([two.count.initialInstanceCount, three.count.initialInstanceCount], [2, 3]);
            assert.deepEqual(options[two.names[1]], [DEFAULTED_INSTANCE_COUNT]);
            await build(
                "iris",
                { ...iris(), endpoint: { instanceCount: 3, autoscaling: { minCapacity: 2, maxCapacity: 6 } } },
                { transformations: [capture] },
            );
            const set = [mocks.find(T.model).name, mocks.find(T.config).name];
            assert.ok(
                set.every((n) => !two.names.includes(n)),
                "a set instanceCount is in the generation",
            );
            assert.deepEqual(options[set[1]], []);
        } finally {
            console.warn = saved;
        }
    });
});
