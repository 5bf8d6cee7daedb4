/**
 * Impossible arguments throw before any resource is created, with a message naming the arguments.
 */
import * as mocks from "./mocks";
import { strict as assert } from "assert";
import { ArgumentError, ModelApi, ModelApiArgs } from "../../components";
import { MAX_COMPONENT_NAME_LENGTH } from "../../components/naming";
import { modelDir } from "./fixtures";
import { build } from "./harness";
import { T } from "./resource-types";

describe("ModelApi validation", () => {
    const dir = modelDir();
    const one = { models: [{ name: "iris", path: dir }] };
    const two = { multiModel: true, models: [{ name: "iris", path: dir }, { name: "wine", path: dir }] };

    before(() => mocks.useMocks());
    beforeEach(() => mocks.reset());

    /** Asserts the exact message, and that not even the component itself was registered. */
    function rejects(args: ModelApiArgs, message: string, name = "iris"): void {
        assert.throws(
            () => new ModelApi(name, args),
            (err: unknown) => {
                assert.ok(err instanceof ArgumentError, `not an ArgumentError: ${err}`);
                assert.equal(err.message, `ModelApi "${name}": ${message}`);
                return true;
            },
        );
        assert.deepEqual(mocks.all(), []);
    }

    it("the component name's limit is 42 characters, from the IAM role names", () => {
        assert.equal(MAX_COMPONENT_NAME_LENGTH, 42);
    });

    it("rejects a component name longer than 42 characters", () => {
        const name = "a".repeat(43);
        rejects(
            one,
            `name is 43 characters; at most 42 fit, since child names such as "aaaaaaaa...-endpoint-role" plus the 8-character auto-name suffix must stay within AWS name limits`,
            name,
        );
    });

    it("a 42-character name keeps every auto-named child within its AWS limit", async () => {
        const name = "b".repeat(42);
        await build(name, { ...one, image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/s:1" } });
        const limits: [string, number][] = [
            [T.model, 63],
            [T.config, 63],
            [T.bucket, 63],
            [T.fn, 64],
            [T.role, 64],
        ];
        for (const [type, limit] of limits) {
            const children = mocks.findAll(type);
            assert.ok(children.length > 0, type);
            for (const child of children) {
                // Pulumi's auto-name: the logical name, "-", and 7 random hex characters.
                assert.ok(child.name.length + 8 <= limit, `${child.name} exceeds ${limit}`);
                assert.ok(child.name.length + 9 > limit || type !== T.role, `${child.name} is not the tightest`);
            }
        }
        const endpoint = mocks.find(T.endpoint).inputs.name;
        assert.ok(endpoint.length <= 63 && /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(endpoint), endpoint);
    });

    it("rejects a component name with characters SageMaker does not allow", () => {
        rejects(one, `name must contain only letters, digits and hyphens, and start and end with a letter or digit`, "iris_v2");
    });

    it("rejects no models", () => {
        rejects({ models: [] }, `models must be a list of at least one model`);
    });

    it("rejects models that are not a list, as another language might send", () => {
        rejects({ models: { name: "iris", path: dir } as any }, `models must be a list of at least one model`);
    });

    it("rejects several models without multiModel", () => {
        rejects({ models: two.models }, `models has 2 entries but multiModel is not set; serve one model, or set multiModel: true`);
    });

    it("rejects an invalid model name", () => {
        rejects({ models: [{ name: "-iris", path: dir }] }, `models[0].name "-iris" must contain only letters, digits and hyphens, and start and end with a letter or digit`);
    });

    it("rejects a model name that is not a valid archive name", () => {
        rejects({ models: [{ name: "iris.v2", path: dir }] }, `models[0].name "iris.v2" must contain only letters, digits and hyphens, and start and end with a letter or digit`);
    });

    it("rejects a model name longer than 63 characters", () => {
        const long = "m".repeat(64);
        rejects({ models: [{ name: long, path: dir }] }, `models[0].name "${long}" is 64 characters; at most 63 are allowed`);
    });

    it("rejects duplicate model names", () => {
        rejects(
            { multiModel: true, models: [{ name: "iris", path: dir }, { name: "iris", path: dir }] },
            `models[1].name "iris" is used more than once; model names must be unique`,
        );
    });

    it("rejects a model with neither path nor s3Uri", () => {
        rejects({ models: [{ name: "iris" }] }, `models[0] ("iris") must set exactly one of path and s3Uri`);
    });

    it("rejects a model with both path and s3Uri", () => {
        rejects({ models: [{ name: "iris", path: dir, s3Uri: "s3://b/k.tar.gz" }] }, `models[0] ("iris") must set exactly one of path and s3Uri`);
    });

    it("rejects a model path that does not exist", () => {
        rejects({ models: [{ name: "iris", path: "/nonexistent/iris" }] }, `models[0].path "/nonexistent/iris" does not exist`);
    });

    it("rejects an s3Uri that is not s3://bucket/key", () => {
        rejects({ models: [{ name: "iris", s3Uri: "https://example.com/model.tar.gz" }] }, `models[0].s3Uri "https://example.com/model.tar.gz" must look like s3://bucket/key/model.tar.gz`);
    });

    it("rejects a multi-model model given by s3Uri", () => {
        rejects(
            { multiModel: true, models: [{ name: "iris", path: dir }, { name: "wine", s3Uri: "s3://team/wine.tar.gz" }] },
            `models[1].s3Uri cannot be combined with multiModel: a multi-model endpoint serves every model from its own S3 prefix, so give the model as a local path`,
        );
    });

    it("rejects image.context together with image.uri", () => {
        rejects({ ...one, image: { context: dir, uri: "repo/image:1" } }, `image.context and image.uri cannot both be set`);
    });

    it("rejects build settings together with image.uri", () => {
        rejects({ ...one, image: { uri: "repo/image:1", platform: "linux/arm64" } }, `image.platform cannot be combined with image.uri: nothing is built for an existing image`);
    });

    it("rejects image.repositoryArn without image.uri", () => {
        rejects({ ...one, image: { repositoryArn: "arn:aws:ecr:us-east-1:111122223333:repository/x" } }, `image.repositoryArn requires image.uri`);
    });

    it("rejects serverless with multiModel", () => {
        rejects(
            { ...two, endpoint: { serverless: {} } },
            `multiModel cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not host multi-model containers`,
        );
    });

    it("rejects serverless with autoscaling", () => {
        rejects(
            { ...one, endpoint: { serverless: {}, autoscaling: {} } },
            `endpoint.serverless cannot be combined with endpoint.autoscaling: serverless endpoints scale by maxConcurrency`,
        );
    });

    it("rejects serverless with an instance type", () => {
        rejects({ ...one, endpoint: { serverless: {}, instanceType: "ml.m5.large" } }, `endpoint.serverless cannot be combined with endpoint.instanceType or endpoint.instanceCount`);
    });

    it("rejects serverless with an instance count", () => {
        rejects({ ...one, endpoint: { serverless: {}, instanceCount: 2 } }, `endpoint.serverless cannot be combined with endpoint.instanceType or endpoint.instanceCount`);
    });

    it("rejects serverless with data capture, which SageMaker does not support", () => {
        rejects(
            { ...one, endpoint: { serverless: {}, dataCapture: {} } },
            `endpoint.dataCapture cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support data capture`,
        );
    });

    it("rejects serverless with network isolation, which SageMaker does not support", () => {
        rejects(
            { ...one, endpoint: { serverless: {}, networkIsolation: true } },
            `endpoint.networkIsolation cannot be true with endpoint.serverless: SageMaker serverless endpoints do not support network isolation`,
        );
    });

    it("rejects serverless memory that is not a multiple of 1024 from 1024 to 6144", () => {
        rejects(
            { ...one, endpoint: { serverless: { memorySizeMb: 1500 } } },
            `endpoint.serverless.memorySizeMb must be one of 1024, 2048, 3072, 4096, 5120, 6144; got 1500`,
        );
    });

    it("rejects serverless memory above 6144", () => {
        rejects(
            { ...one, endpoint: { serverless: { memorySizeMb: 7168 } } },
            `endpoint.serverless.memorySizeMb must be one of 1024, 2048, 3072, 4096, 5120, 6144; got 7168`,
        );
    });

    it("rejects a serverless max concurrency of 0", () => {
        rejects({ ...one, endpoint: { serverless: { maxConcurrency: 0 } } }, `endpoint.serverless.maxConcurrency must be an integer from 1 to 200; got 0`);
    });

    it("rejects a serverless max concurrency above 200", () => {
        rejects({ ...one, endpoint: { serverless: { maxConcurrency: 201 } } }, `endpoint.serverless.maxConcurrency must be an integer from 1 to 200; got 201`);
    });

    it("rejects autoscaling with minCapacity above maxCapacity", () => {
        rejects(
            { ...one, endpoint: { autoscaling: { minCapacity: 5, maxCapacity: 2 } } },
            `endpoint.autoscaling.minCapacity (5) must not exceed endpoint.autoscaling.maxCapacity (2)`,
        );
    });

    it("rejects autoscaling with minCapacity below 1", () => {
        rejects({ ...one, endpoint: { autoscaling: { minCapacity: 0 } } }, `endpoint.autoscaling.minCapacity must be an integer of at least 1; got 0`);
    });

    it("rejects an instance count outside the autoscaling bounds", () => {
        rejects(
            { ...one, endpoint: { instanceCount: 8, autoscaling: { minCapacity: 1, maxCapacity: 4 } } },
            `endpoint.instanceCount (8) must lie between endpoint.autoscaling.minCapacity (1) and maxCapacity (4)`,
        );
    });

    it("rejects a zero instance count", () => {
        rejects({ ...one, endpoint: { instanceCount: 0 } }, `endpoint.instanceCount must be a positive integer; got 0`);
    });

    it("rejects a negative instance count", () => {
        rejects({ ...one, endpoint: { instanceCount: -1 } }, `endpoint.instanceCount must be a positive integer; got -1`);
    });

    it("rejects a data capture sampling percentage above 100", () => {
        rejects({ ...one, endpoint: { dataCapture: { samplingPercentage: 101 } } }, `endpoint.dataCapture.samplingPercentage must be an integer from 1 to 100; got 101`);
    });

    it("rejects an unknown auth value", () => {
        rejects({ ...one, api: { auth: "basic" as any } }, `api.auth must be one of "apiKey", "iam", "none"; got "basic"`);
    });

    it("rejects an unknown quota period", () => {
        rejects({ ...one, api: { quota: { period: "YEAR" } } }, `api.quota.period must be one of DAY, WEEK, MONTH; got "YEAR"`);
    });

    it("rejects a throttle rate of 0", () => {
        rejects({ ...one, api: { throttle: { rateLimit: 0 } } }, `api.throttle.rateLimit must be greater than 0; got 0`);
    });

    it("rejects a negative quota", () => {
        rejects({ ...one, api: { quota: { limit: -5 } } }, `api.quota.limit must be greater than 0; got -5`);
    });

    it("rejects a function timeout above Lambda's 900 seconds", () => {
        rejects({ ...one, api: { function: { timeoutSeconds: 901 } } }, `api.function.timeoutSeconds must be an integer from 1 to 900; got 901`);
    });

    it("rejects function memory below Lambda's 128 MB", () => {
        rejects({ ...one, api: { function: { memorySizeMb: 64 } } }, `api.function.memorySizeMb must be an integer from 128 to 10240; got 64`);
    });

    it("rejects a log retention CloudWatch does not offer", () => {
        rejects(
            { ...one, endpoint: { logRetentionDays: 10 } },
            `endpoint.logRetentionDays must be one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653); got 10`,
        );
    });

    it("rejects a stage name API Gateway does not allow", () => {
        rejects({ ...one, api: { stageName: "v1/beta" } }, `api.stageName must contain only letters, digits and underscores; got "v1/beta"`);
    });
});
