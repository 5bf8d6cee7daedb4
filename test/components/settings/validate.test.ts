/**
 * Impossible arguments throw before any resource is created, with a message naming the arguments: every
 * mistake at once, each check skipping quietly what depends on a value another check refused.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ArgumentError } from "../../../components";
import { MODEL_API_KEYS } from "../../../components/argument-keys";
import { validateArgs } from "../../../components/settings/validate";
import { type KeyTable, nestedTable } from "../../../core/known-keys";
import { MAX_COMPONENT_NAME_LENGTH } from "../../../core/naming";
import { modelDir } from "../fixtures";
import { build, refuses } from "../harness";
import { T } from "../resource-types";

describe("ModelApi validation", () => {
    const dir = modelDir();
    const one = { models: [{ name: "iris", path: dir }] };
    const two = {
        multiModel: true,
        models: [
            { name: "iris", path: dir },
            { name: "wine", path: dir },
        ],
    };

    before(() => mocks.useMocks());
    beforeEach(() => mocks.reset());

    it("the component name's limit is 42 characters, from the IAM role names", () => {
        assert.equal(MAX_COMPONENT_NAME_LENGTH, 42);
    });

    const COMPONENT_RULE =
        `is not valid: use 1-42 letters, digits and hyphens, starting and ending with a letter or digit ` +
        `(child names such as "<name>-endpoint-role" plus an 8-character auto-name suffix must fit AWS's name limits)`;

    it("rejects a component name longer than 42 characters", () => {
        const name = "a".repeat(43);
        refuses(one, `name "${name}" ${COMPONENT_RULE}`, name);
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
        refuses(one, `name "iris_v2" ${COMPONENT_RULE}`, "iris_v2");
    });

    it("rejects no models", () => {
        refuses({ models: [] }, `models must be a list of at least one model`);
    });

    it("rejects models that are not a list, as another language might send", () => {
        refuses({ models: { name: "iris", path: dir } as any }, `models must be a list of at least one model`);
    });

    it("rejects several models without multiModel", () => {
        refuses({ models: two.models }, `models has 2 entries but multiModel is not set; serve one model, or set multiModel: true`);
    });

    it("rejects an invalid model name", () => {
        refuses(
            { models: [{ name: "-iris", path: dir }] },
            `models[0].name "-iris" is not valid: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
        );
    });

    it("rejects a model name that is not a valid archive name", () => {
        refuses(
            { models: [{ name: "iris.v2", path: dir }] },
            `models[0].name "iris.v2" is not valid: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
        );
    });

    it("rejects a model name longer than 63 characters", () => {
        const long = "m".repeat(64);
        refuses(
            { models: [{ name: long, path: dir }] },
            `models[0].name "${long}" is not valid: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
        );
    });

    it("rejects duplicate model names", () => {
        refuses(
            {
                multiModel: true,
                models: [
                    { name: "iris", path: dir },
                    { name: "iris", path: dir },
                ],
            },
            `models[1].name "iris" is used more than once; model names must be unique`,
        );
    });

    it("rejects a model with neither path nor s3Uri", () => {
        refuses({ models: [{ name: "iris" }] }, `models[0] ("iris") must set exactly one of path and s3Uri`);
    });

    it("rejects a model with both path and s3Uri", () => {
        refuses(
            { models: [{ name: "iris", path: dir, s3Uri: "s3://b/k.tar.gz" }] },
            `models[0] ("iris") must set exactly one of path and s3Uri`,
        );
    });

    it("rejects a model path that does not exist", () => {
        refuses({ models: [{ name: "iris", path: "/nonexistent/iris" }] }, `models[0].path "/nonexistent/iris" does not exist`);
    });

    it("rejects an s3Uri that is not s3://bucket/key", () => {
        refuses(
            { models: [{ name: "iris", s3Uri: "https://example.com/model.tar.gz" }] },
            `models[0].s3Uri "https://example.com/model.tar.gz" must look like s3://bucket/key/model.tar.gz`,
        );
    });

    it("rejects a multi-model model given by s3Uri", () => {
        refuses(
            {
                multiModel: true,
                models: [
                    { name: "iris", path: dir },
                    { name: "wine", s3Uri: "s3://team/wine.tar.gz" },
                ],
            },
            `models[1].s3Uri cannot be combined with multiModel: a multi-model endpoint serves every model from its own S3 prefix, so give the model as a local path`,
        );
    });

    it("rejects image.context together with image.uri", () => {
        refuses({ ...one, image: { context: dir, uri: "repo/image:1" } }, `image.context and image.uri cannot both be set`);
    });

    it("rejects build settings together with image.uri", () => {
        refuses(
            { ...one, image: { uri: "repo/image:1", platform: "linux/arm64" } },
            `image.platform cannot be combined with image.uri: nothing is built for an existing image`,
        );
    });

    it("rejects image.repositoryArn without image.uri", () => {
        refuses(
            { ...one, image: { repositoryArn: "arn:aws:ecr:us-east-1:111122223333:repository/x" } },
            `image.repositoryArn requires image.uri`,
        );
    });

    it("rejects serverless with multiModel", () => {
        refuses(
            { ...two, endpoint: { serverless: {} } },
            `multiModel cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not host multi-model containers`,
        );
    });

    it("rejects serverless with autoscaling", () => {
        refuses(
            { ...one, endpoint: { serverless: {}, autoscaling: {} } },
            `endpoint.serverless cannot be combined with endpoint.autoscaling: serverless endpoints scale by maxConcurrency`,
        );
    });

    it("rejects serverless with an instance type", () => {
        refuses(
            { ...one, endpoint: { serverless: {}, instanceType: "ml.m5.large" } },
            `endpoint.serverless cannot be combined with endpoint.instanceType or endpoint.instanceCount`,
        );
    });

    it("rejects serverless with an instance count", () => {
        refuses(
            { ...one, endpoint: { serverless: {}, instanceCount: 2 } },
            `endpoint.serverless cannot be combined with endpoint.instanceType or endpoint.instanceCount`,
        );
    });

    it("rejects serverless with data capture, which SageMaker does not support", () => {
        refuses(
            { ...one, endpoint: { serverless: {}, dataCapture: {} } },
            `endpoint.dataCapture cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support data capture`,
        );
    });

    it("rejects serverless with network isolation, which SageMaker does not support", () => {
        refuses(
            { ...one, endpoint: { serverless: {}, networkIsolation: true } },
            `endpoint.networkIsolation cannot be true with endpoint.serverless: SageMaker serverless endpoints do not support network isolation`,
        );
    });

    it("rejects serverless memory that is not a multiple of 1024 from 1024 to 6144", () => {
        refuses(
            { ...one, endpoint: { serverless: { memorySizeMb: 1500 } } },
            `endpoint.serverless.memorySizeMb must be one of 1024, 2048, 3072, 4096, 5120, 6144; got 1500`,
        );
    });

    it("rejects serverless memory above 6144", () => {
        refuses(
            { ...one, endpoint: { serverless: { memorySizeMb: 7168 } } },
            `endpoint.serverless.memorySizeMb must be one of 1024, 2048, 3072, 4096, 5120, 6144; got 7168`,
        );
    });

    it("rejects a serverless max concurrency of 0", () => {
        refuses(
            { ...one, endpoint: { serverless: { maxConcurrency: 0 } } },
            `endpoint.serverless.maxConcurrency must be an integer from 1 to 200; got 0`,
        );
    });

    it("rejects a serverless max concurrency above 200", () => {
        refuses(
            { ...one, endpoint: { serverless: { maxConcurrency: 201 } } },
            `endpoint.serverless.maxConcurrency must be an integer from 1 to 200; got 201`,
        );
    });

    it("rejects autoscaling with minCapacity above maxCapacity", () => {
        refuses(
            { ...one, endpoint: { autoscaling: { minCapacity: 5, maxCapacity: 2 } } },
            `endpoint.autoscaling.minCapacity (5) must not exceed endpoint.autoscaling.maxCapacity (2)`,
        );
    });

    it("rejects autoscaling with minCapacity below 1", () => {
        refuses(
            { ...one, endpoint: { autoscaling: { minCapacity: 0 } } },
            `endpoint.autoscaling.minCapacity must be an integer of at least 1; got 0 (0 only on an asynchronous endpoint with endpoint.async.scaleToZero)`,
        );
    });

    it("rejects an instance count outside the autoscaling bounds", () => {
        refuses(
            { ...one, endpoint: { instanceCount: 8, autoscaling: { minCapacity: 1, maxCapacity: 4 } } },
            `endpoint.instanceCount (8) must lie between endpoint.autoscaling.minCapacity (1) and maxCapacity (4)`,
        );
    });

    it("rejects a zero instance count", () => {
        refuses({ ...one, endpoint: { instanceCount: 0 } }, `endpoint.instanceCount must be a positive integer; got 0`);
    });

    it("rejects a negative instance count", () => {
        refuses({ ...one, endpoint: { instanceCount: -1 } }, `endpoint.instanceCount must be a positive integer; got -1`);
    });

    it("rejects a data capture sampling percentage above 100", () => {
        refuses(
            { ...one, endpoint: { dataCapture: { samplingPercentage: 101 } } },
            `endpoint.dataCapture.samplingPercentage must be an integer from 1 to 100; got 101`,
        );
    });

    it("rejects an unknown auth value", () => {
        refuses({ ...one, api: { auth: "basic" as any } }, `api.auth must be one of "apiKey", "iam", "none"; got "basic"`);
    });

    it("rejects an unknown quota period", () => {
        refuses({ ...one, api: { quota: { period: "YEAR" } } }, `api.quota.period must be one of DAY, WEEK, MONTH; got "YEAR"`);
    });

    it("rejects a throttle rate of 0", () => {
        refuses({ ...one, api: { throttle: { rateLimit: 0 } } }, `api.throttle.rateLimit must be greater than 0; got 0`);
    });

    it("rejects a negative quota", () => {
        refuses({ ...one, api: { quota: { limit: -5 } } }, `api.quota.limit must be a positive integer; got -5`);
    });

    it("rejects a function timeout above Lambda's 900 seconds", () => {
        refuses(
            { ...one, api: { function: { timeoutSeconds: 901 } } },
            `api.function.timeoutSeconds must be an integer from 1 to 900; got 901`,
        );
    });

    it("rejects function memory below Lambda's 128 MB", () => {
        refuses(
            { ...one, api: { function: { memorySizeMb: 64 } } },
            `api.function.memorySizeMb must be an integer from 128 to 10240; got 64`,
        );
    });

    it("rejects a log retention CloudWatch does not offer", () => {
        refuses(
            { ...one, endpoint: { logRetentionDays: 10 } },
            `endpoint.logRetentionDays must be one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653); got 10`,
        );
    });

    it("rejects a stage name API Gateway does not allow", () => {
        refuses(
            { ...one, api: { stageName: "v1/beta" } },
            `api.stageName must contain only letters, digits, hyphens and underscores, at most 128 characters; got "v1/beta"`,
        );
    });

    it("accepts a stage name with hyphens, as API Gateway does", async () => {
        await build("iris", {
            ...one,
            image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/s:1" },
            api: { stageName: "prod-eu_1" },
        });
        assert.equal(mocks.find(T.stage).inputs.stageName, "prod-eu_1");
    });

    it("rejects a stage name over 128 characters", () => {
        const stage = "s".repeat(129);
        refuses(
            { ...one, api: { stageName: stage } },
            `api.stageName must contain only letters, digits, hyphens and underscores, at most 128 characters; got "${stage}"`,
        );
    });

    it("rejects a burst limit that is not an integer, which API Gateway takes as one", () => {
        refuses({ ...one, api: { throttle: { burstLimit: 2.5 } } }, `api.throttle.burstLimit must be a positive integer; got 2.5`);
    });

    it("accepts a fractional rate limit, which API Gateway takes as a double", async () => {
        await build("iris", {
            ...one,
            image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/s:1" },
            api: { throttle: { rateLimit: 0.5 } },
        });
        assert.equal(mocks.find(T.usagePlan).inputs.throttleSettings.rateLimit, 0.5);
    });

    it("rejects a quota limit that is not an integer", () => {
        refuses({ ...one, api: { quota: { limit: 100.5 } } }, `api.quota.limit must be a positive integer; got 100.5`);
    });

    it("rejects a negative cooldown", () => {
        refuses(
            { ...one, endpoint: { autoscaling: { scaleInCooldownSeconds: -1 } } },
            `endpoint.autoscaling.scaleInCooldownSeconds must be a whole number of seconds, 0 or more; got -1`,
        );
    });

    it("rejects a fractional cooldown", () => {
        refuses(
            { ...one, endpoint: { autoscaling: { scaleOutCooldownSeconds: 1.5 } } },
            `endpoint.autoscaling.scaleOutCooldownSeconds must be a whole number of seconds, 0 or more; got 1.5`,
        );
    });

    it("rejects a GPU instance type with multiModel", () => {
        refuses(
            { ...two, endpoint: { instanceType: "ml.g5.xlarge" } },
            `endpoint.instanceType "ml.g5.xlarge" is a GPU instance type, which multiModel cannot use: SageMaker hosts ` +
                `multi-model endpoints on GPU instances only with its Triton Inference Server container; choose a CPU instance type such as ml.m5.large`,
        );
    });

    it("allows a GPU instance type for one model", async () => {
        await build("iris", {
            ...one,
            image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/s:1" },
            endpoint: { instanceType: "ml.p3.2xlarge" },
        });
        assert.equal(mocks.find(T.config).inputs.productionVariants[0].instanceType, "ml.p3.2xlarge");
    });

    it("rejects a KMS alias ARN, which IAM cannot authorize decryption through", () => {
        const alias = "arn:aws:kms:us-east-1:123456789012:alias/models";
        refuses(
            { ...one, artifacts: { kmsKeyArn: alias } },
            `artifacts.kmsKeyArn must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>); got the alias ARN "${alias}", ` +
                `and IAM does not authorize kms:Decrypt on a key through its alias`,
        );
    });

    it("rejects a KMS key id where the key ARN is needed", () => {
        refuses(
            { ...one, artifacts: { kmsKeyArn: "1234abcd-12ab-34cd-56ef-1234567890ab" } },
            `artifacts.kmsKeyArn must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>); got "1234abcd-12ab-34cd-56ef-1234567890ab"`,
        );
    });

    it("three wrong arguments in three places fail once, naming all three, and nothing is registered", () => {
        refuses(
            { models: [{ name: "iris", path: "/nonexistent/iris" }], endpoint: { instanceCount: 0 }, api: { auth: "basic" as any } },
            `3 mistakes in the arguments:\n` +
                `  - models[0].path "/nonexistent/iris" does not exist\n` +
                `  - endpoint.instanceCount must be a positive integer; got 0\n` +
                `  - api.auth must be one of "apiKey", "iam", "none"; got "basic"`,
        );
    });

    it("two mistakes inside one object are both reported", () => {
        refuses(
            { ...one, api: { throttle: { rateLimit: 0, burstLimit: 2.5 } } },
            `2 mistakes in the arguments:\n` +
                `  - api.throttle.rateLimit must be greater than 0; got 0\n` +
                `  - api.throttle.burstLimit must be a positive integer; got 2.5`,
        );
    });

    it("every build setting given with image.uri is named, not only the first", () => {
        refuses(
            { ...one, image: { uri: "repo/image:1", dockerfile: "Dockerfile", keepImages: 3 } },
            `2 mistakes in the arguments:\n` +
                `  - image.dockerfile cannot be combined with image.uri: nothing is built for an existing image\n` +
                `  - image.keepImages cannot be combined with image.uri: nothing is built for an existing image`,
        );
    });

    it("the autoscaling bounds and the instance count within them are not compared while minCapacity is invalid", () => {
        refuses(
            { ...one, endpoint: { instanceCount: 8, autoscaling: { minCapacity: 0, maxCapacity: 4 } } },
            `endpoint.autoscaling.minCapacity must be an integer of at least 1; got 0 (0 only on an asynchronous endpoint with endpoint.async.scaleToZero)`,
        );
    });

    it("an invalid instance count is not measured against the autoscaling bounds or a rollout's steps", () => {
        refuses(
            {
                ...one,
                endpoint: { instanceCount: -1, autoscaling: { minCapacity: 1, maxCapacity: 4 }, rollout: { trafficShifting: "canary" } },
            },
            `endpoint.instanceCount must be a positive integer; got -1`,
        );
    });

    it("a rollout's step sizes are not checked against an unknown traffic shifting mode", () => {
        refuses(
            { ...one, endpoint: { instanceCount: 2, rollout: { trafficShifting: "blueGreen", canaryPercent: 10 } } },
            `endpoint.rollout.trafficShifting must be one of "allAtOnce", "canary", "linear"; got "blueGreen"`,
        );
    });

    it("a model's path and s3Uri are not checked while it sets both or neither", () => {
        refuses(
            { models: [{ name: "iris", path: "/nonexistent/iris", s3Uri: "not-a-uri" }] },
            `models[0] ("iris") must set exactly one of path and s3Uri`,
        );
    });

    it("each repeated model name is named at its own position", () => {
        refuses(
            {
                multiModel: true,
                models: [
                    { name: "iris", path: dir },
                    { name: "wine", path: dir },
                    { name: "iris", path: dir },
                    { name: "wine", path: dir },
                ],
            },
            `2 mistakes in the arguments:\n` +
                `  - models[2].name "iris" is used more than once; model names must be unique\n` +
                `  - models[3].name "wine" is used more than once; model names must be unique`,
        );
    });

    it("a model that is not an object is named, and the others are still checked", () => {
        refuses(
            { multiModel: true, models: [null as any, { name: "wine", path: "/nonexistent/wine" }] },
            `2 mistakes in the arguments:\n` +
                `  - models[0] must be a model, {name, path} or {name, s3Uri}; got null\n` +
                `  - models[1].path "/nonexistent/wine" does not exist`,
        );
    });

    /** Every path of the key tables, lists entered at their first element (`models.0.name`). */
    function argumentPaths(table: KeyTable, prefix: string[] = []): string[][] {
        return Object.entries(table).flatMap(([key, spec]) => {
            const here = [...prefix, key];
            const nested = nestedTable(spec);
            if (nested === undefined) return [here];
            const inner = nested.list ? [...here, "0"] : here;
            return [here, ...(nested.list ? [inner] : []), ...argumentPaths(nested.table, inner)];
        });
    }

    /** A copy of `args` with `value` at `path`, creating the objects (or one-element lists) on the way. */
    function withValueAt(args: any, path: string[], value: unknown): any {
        const copy = structuredClone(args);
        let node = copy;
        path.slice(0, -1).forEach((key, i) => {
            const next = path[i + 1];
            if (typeof node[key] !== "object" || node[key] === null) node[key] = /^\d+$/.test(next) ? [] : {};
            node = node[key];
        });
        node[path[path.length - 1]] = value;
        return copy;
    }

    it("any value at any argument is accepted or refused by name: the checks never fail on a value another refused", () => {
        const garbage: unknown[] = [null, "x", -1, 2.5, true, [], [null], {}, { x: 1 }, Number.NaN];
        const bases = [
            one,
            { ...one, multiModel: true, endpoint: { serverless: {}, rollout: {} } },
            { ...one, endpoint: { instanceCount: 2, autoscaling: {}, rollout: { trafficShifting: "canary" } } },
            { ...one, network: { subnetIds: ["subnet-0a", "subnet-0b"], securityGroupIds: ["sg-0a"] } },
        ];
        let refused = 0;
        for (const base of bases) {
            for (const path of argumentPaths(MODEL_API_KEYS)) {
                for (const value of garbage) {
                    try {
                        validateArgs("iris", withValueAt(base, path, value));
                    } catch (err) {
                        assert.ok(err instanceof ArgumentError, `${path.join(".")} = ${JSON.stringify(value)}: ${(err as Error).stack}`);
                        refused++;
                    }
                }
            }
        }
        assert.ok(argumentPaths(MODEL_API_KEYS).some((p) => p.join(".") === "monitoring.alarms.modelLatency.threshold"));
        assert.ok(refused > 100, `only ${refused} refusals`);
    });

    /** `count` multi-model models with names of `length` characters, all distinct. */
    function manyModels(count: number, length: number) {
        return Array.from({ length: count }, (_, i) => ({ name: `m${String(i).padStart(length - 1, "0")}`, path: dir }));
    }

    it("rejects more models than MODEL_NAMES can hold in Lambda's 4 KB environment", () => {
        // 49 names of 63 characters and 48 commas: 3,135 bytes.
        refuses(
            { multiModel: true, models: manyModels(49, 63) },
            `models has 49 models whose names take 3135 bytes in the function's MODEL_NAMES variable; at most 3072 fit in ` +
                `Lambda's 4 KB of environment variables: split the models over several ModelApi instances, or shorten their names`,
        );
    });

    it("rejects more models than the sagemaker:TargetModel list can hold in the role's 10,240-character policy", () => {
        // 700 names of 3 characters fit MODEL_NAMES (2,799 bytes), but as ["000.tar.gz", ...] take 9,101 characters.
        refuses(
            { multiModel: true, models: manyModels(700, 3).map((m, i) => ({ ...m, name: i.toString(36).padStart(3, "0") })) },
            `models has 700 models whose sagemaker:TargetModel list takes 9101 characters in the function role's policy; ` +
                `at most 8192 fit in IAM's 10,240 characters of inline policy per role: split the models over several ModelApi instances, or shorten their names`,
        );
    });

    it("accepts as many models as fit, and gives the Lambda and the role policy all of them", async () => {
        const models = manyModels(48, 63);
        await build("zoo", { multiModel: true, models, image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/s:1" } });
        const env = mocks.find(T.fn).inputs.environment.variables;
        assert.equal(env.MODEL_NAMES.split(",").length, 48);
        assert.ok(Buffer.byteLength(JSON.stringify(env)) < 4096);
        const policy = mocks.find(T.rolePolicy, "zoo-function-policy").inputs.policy;
        assert.ok(policy.replace(/\s/g, "").length < 10240);
    });
});
