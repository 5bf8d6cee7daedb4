import * as fs from "fs";
import { ApiAuth, ModelApiArgs } from "./args";
import { autoscalingDefaults } from "./defaults";
import { validateNetwork } from "./network";
import { MAX_COMPONENT_NAME_LENGTH, MAX_MODEL_NAME_LENGTH, NAME_PATTERN, TIGHTEST_ROLE, AUTONAME_SUFFIX_LENGTH } from "./naming";

/** Invalid {@link ModelApiArgs}: thrown by the constructor before any resource is created. */
export class ArgumentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ArgumentError";
    }
}

/** @internal */
export const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144];
/** @internal */
export const MAX_SERVERLESS_CONCURRENCY = 200;
/** @internal */
export const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"];
/** @internal The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** @internal */
export const S3_URI_PATTERN = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/**
 * @internal Throws an {@link ArgumentError} naming the arguments of the first impossible setting.
 * Only checks; defaults are applied afterwards by settings.ts.
 */
export function validateArgs(name: string, args: ModelApiArgs): void {
    const fail = (message: string): never => {
        throw new ArgumentError(`ModelApi "${name}": ${message}`);
    };
    validateName(name, fail);
    validateModels(args, fail);
    validateImage(args, fail);
    validateEndpoint(args, fail);
    validateApi(args, fail);
    validateNetwork(args, fail);
}

type Fail = (message: string) => never;

function validateName(name: string, fail: Fail): void {
    if (!NAME_PATTERN.test(name)) {
        fail(`name must contain only letters, digits and hyphens, and start and end with a letter or digit`);
    }
    if (name.length > MAX_COMPONENT_NAME_LENGTH) {
        fail(
            `name is ${name.length} characters; at most ${MAX_COMPONENT_NAME_LENGTH} fit, since child names ` +
                `such as "${name.slice(0, 8)}...-${TIGHTEST_ROLE}" plus the ${AUTONAME_SUFFIX_LENGTH}-character ` +
                `auto-name suffix must stay within AWS name limits`,
        );
    }
}

function validateModels(args: ModelApiArgs, fail: Fail): void {
    const models = args.models ?? [];
    if (!Array.isArray(models) || models.length === 0) {
        fail(`models must be a list of at least one model`);
    }
    if (!args.multiModel && models.length > 1) {
        fail(`models has ${models.length} entries but multiModel is not set; serve one model, or set multiModel: true`);
    }
    const seen = new Set<string>();
    models.forEach((model, i) => {
        const at = `models[${i}]`;
        if (typeof model.name !== "string" || !NAME_PATTERN.test(model.name)) {
            fail(`${at}.name "${model.name}" must contain only letters, digits and hyphens, and start and end with a letter or digit`);
        }
        if (model.name.length > MAX_MODEL_NAME_LENGTH) {
            fail(`${at}.name "${model.name}" is ${model.name.length} characters; at most ${MAX_MODEL_NAME_LENGTH} are allowed`);
        }
        if (seen.has(model.name)) {
            fail(`${at}.name "${model.name}" is used more than once; model names must be unique`);
        }
        seen.add(model.name);
        const sources = [model.path, model.s3Uri].filter((s) => s !== undefined && s !== "");
        if (sources.length !== 1) {
            fail(`${at} ("${model.name}") must set exactly one of path and s3Uri`);
        }
        if (model.path && !fs.existsSync(model.path)) {
            fail(`${at}.path "${model.path}" does not exist`);
        }
        if (model.s3Uri && !S3_URI_PATTERN.test(model.s3Uri)) {
            fail(`${at}.s3Uri "${model.s3Uri}" must look like s3://bucket/key/model.tar.gz`);
        }
        if (model.s3Uri && args.multiModel) {
            fail(
                `${at}.s3Uri cannot be combined with multiModel: a multi-model endpoint serves every model ` +
                    `from its own S3 prefix, so give the model as a local path`,
            );
        }
    });
}

function validateImage(args: ModelApiArgs, fail: Fail): void {
    const image = args.image ?? {};
    if (image.uri !== undefined) {
        if (image.context !== undefined) {
            fail(`image.context and image.uri cannot both be set`);
        }
        const buildOnly = (["dockerfile", "platform", "keepImages"] as const).filter((k) => image[k] !== undefined);
        if (buildOnly.length > 0) {
            fail(`image.${buildOnly[0]} cannot be combined with image.uri: nothing is built for an existing image`);
        }
    } else if (image.repositoryArn !== undefined) {
        fail(`image.repositoryArn requires image.uri`);
    }
    if (image.keepImages !== undefined && !(Number.isInteger(image.keepImages) && image.keepImages >= 1)) {
        fail(`image.keepImages must be a positive integer; got ${image.keepImages}`);
    }
}

function validateEndpoint(args: ModelApiArgs, fail: Fail): void {
    const endpoint = args.endpoint ?? {};
    const serverless = endpoint.serverless;
    if (serverless) {
        if (args.multiModel) {
            fail(`multiModel cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not host multi-model containers`);
        }
        if (endpoint.autoscaling) {
            fail(`endpoint.serverless cannot be combined with endpoint.autoscaling: serverless endpoints scale by maxConcurrency`);
        }
        if (endpoint.instanceType !== undefined || endpoint.instanceCount !== undefined) {
            fail(`endpoint.serverless cannot be combined with endpoint.instanceType or endpoint.instanceCount`);
        }
        if (endpoint.dataCapture) {
            fail(`endpoint.dataCapture cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support data capture`);
        }
        if (endpoint.networkIsolation === true) {
            fail(`endpoint.networkIsolation cannot be true with endpoint.serverless: SageMaker serverless endpoints do not support network isolation`);
        }
        const memory = serverless.memorySizeMb;
        if (memory !== undefined && !SERVERLESS_MEMORY_SIZES.includes(memory)) {
            fail(`endpoint.serverless.memorySizeMb must be one of ${SERVERLESS_MEMORY_SIZES.join(", ")}; got ${memory}`);
        }
        const concurrency = serverless.maxConcurrency;
        if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_SERVERLESS_CONCURRENCY)) {
            fail(`endpoint.serverless.maxConcurrency must be an integer from 1 to ${MAX_SERVERLESS_CONCURRENCY}; got ${concurrency}`);
        }
    }
    const count = endpoint.instanceCount;
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
        fail(`endpoint.instanceCount must be a positive integer; got ${count}`);
    }
    if (endpoint.autoscaling) {
        const scaling = { ...autoscalingDefaults(), ...endpoint.autoscaling };
        if (!(Number.isInteger(scaling.minCapacity) && scaling.minCapacity >= 1)) {
            fail(`endpoint.autoscaling.minCapacity must be an integer of at least 1; got ${scaling.minCapacity}`);
        }
        if (!Number.isInteger(scaling.maxCapacity) || scaling.minCapacity > scaling.maxCapacity) {
            fail(
                `endpoint.autoscaling.minCapacity (${scaling.minCapacity}) must not exceed ` +
                    `endpoint.autoscaling.maxCapacity (${scaling.maxCapacity})`,
            );
        }
        if (!(scaling.targetInvocationsPerInstance > 0)) {
            fail(`endpoint.autoscaling.targetInvocationsPerInstance must be greater than 0; got ${scaling.targetInvocationsPerInstance}`);
        }
        if (count !== undefined && (count < scaling.minCapacity || count > scaling.maxCapacity)) {
            fail(
                `endpoint.instanceCount (${count}) must lie between endpoint.autoscaling.minCapacity ` +
                    `(${scaling.minCapacity}) and maxCapacity (${scaling.maxCapacity})`,
            );
        }
    }
    retention(fail, "endpoint.logRetentionDays", endpoint.logRetentionDays);
    const sampling = endpoint.dataCapture?.samplingPercentage;
    if (sampling !== undefined && !(Number.isInteger(sampling) && sampling >= 1 && sampling <= 100)) {
        fail(`endpoint.dataCapture.samplingPercentage must be an integer from 1 to 100; got ${sampling}`);
    }
}

function validateApi(args: ModelApiArgs, fail: Fail): void {
    const api = args.api ?? {};
    const auths: string[] = Object.values(ApiAuth);
    if (api.auth !== undefined && !auths.includes(api.auth)) {
        fail(`api.auth must be one of ${auths.map((a) => `"${a}"`).join(", ")}; got "${api.auth}"`);
    }
    if (api.quota?.period !== undefined && !QUOTA_PERIODS.includes(api.quota.period)) {
        fail(`api.quota.period must be one of ${QUOTA_PERIODS.join(", ")}; got "${api.quota.period}"`);
    }
    if (api.stageName !== undefined && !/^[a-zA-Z0-9_]{1,128}$/.test(api.stageName)) {
        fail(`api.stageName must contain only letters, digits and underscores; got "${api.stageName}"`);
    }
    if (api.docs !== undefined && typeof api.docs !== "boolean") {
        fail(`api.docs must be true or false; got ${JSON.stringify(api.docs)}`);
    }
    positive(fail, "api.throttle.rateLimit", api.throttle?.rateLimit);
    positive(fail, "api.throttle.burstLimit", api.throttle?.burstLimit);
    positive(fail, "api.quota.limit", api.quota?.limit);
    const timeout = api.function?.timeoutSeconds;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 1 && timeout <= 900)) {
        fail(`api.function.timeoutSeconds must be an integer from 1 to 900; got ${timeout}`);
    }
    const memory = api.function?.memorySizeMb;
    if (memory !== undefined && !(Number.isInteger(memory) && memory >= 128 && memory <= 10240)) {
        fail(`api.function.memorySizeMb must be an integer from 128 to 10240; got ${memory}`);
    }
    retention(fail, "api.logRetentionDays", api.logRetentionDays);
    retention(fail, "api.function.logRetentionDays", api.function?.logRetentionDays);
}

function positive(fail: Fail, argument: string, value: number | undefined): void {
    if (value !== undefined && !(value > 0)) {
        fail(`${argument} must be greater than 0; got ${value}`);
    }
}

function retention(fail: Fail, argument: string, days: number | undefined): void {
    if (days !== undefined && !LOG_RETENTION_DAYS.includes(days)) {
        fail(`${argument} must be one of CloudWatch Logs' retention periods (${LOG_RETENTION_DAYS.join(", ")}); got ${days}`);
    }
}
