import * as fs from "fs";
import { corsOriginsProblem } from "../../contract";
import { ApiAuth, ModelApiArgs } from "../args";
import { autoscalingDefaults, withDefaults } from "./defaults";
import { componentNameError, duplicateNameError, modelNameError, modelSourceError, s3UriError } from "../../core/input-validation";
import { multiModelArchiveName } from "../artifacts/model-artifacts";
import { validateMonitoring, validateRollout } from "../monitoring/checks";
import { validateNetwork } from "../endpoint/network";

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
/** @internal Its home is input-validation.ts; exported here too for modules that import it from validate. */
export { S3_URI_PATTERN } from "../../core/input-validation";

/**
 * @internal Bytes of the multi-model allow list the Lambda gets as MODEL_NAMES: Lambda allows 4 KB for all
 * of a function's environment variables ("Lambda quotas", Lambda Developer Guide); the rest is left for
 * the other variables.
 */
export const MAX_MODEL_NAMES_BYTES = 3072;

/**
 * @internal Characters of the `sagemaker:TargetModel` list in the function role's inline policy: IAM allows
 * 10,240 characters for a role's inline policies ("IAM and AWS STS quotas", IAM User Guide); the rest is
 * left for the other statements.
 */
export const MAX_TARGET_MODEL_CHARS = 8192;

/** @internal GPU instance families (ml.p*, ml.g*). */
export const GPU_INSTANCE_TYPE = /^ml\.[pg]\d/;

/** @internal A KMS key ARN (not an alias ARN, key id or alias name). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;

/** @internal API Gateway's stage name rule (Stage "stageName", API Gateway REST API Reference). */
export const STAGE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

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
    validateArtifacts(args, fail);
    validateMonitoring(args, fail);
    validateRollout(args, fail);
    validateNetwork(args, fail);
}

type Fail = (message: string) => never;

function validateName(name: string, fail: Fail): void {
    const error = componentNameError(name);
    if (error) {
        fail(`name ${error}`);
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
    models.forEach((model, i) => {
        const at = `models[${i}]`;
        const nameError = modelNameError(model.name);
        if (nameError) {
            fail(`${at}.name ${nameError}`);
        }
        const duplicate = duplicateNameError(models.slice(0, i + 1).map((m) => m.name));
        if (duplicate) {
            fail(`${at}.name ${duplicate.message}`);
        }
        const sourceError = modelSourceError(model);
        if (sourceError) {
            fail(`${at} ("${model.name}") ${sourceError}`);
        }
        if (model.path && !fs.existsSync(model.path)) {
            fail(`${at}.path "${model.path}" does not exist`);
        }
        const uriError = model.s3Uri ? s3UriError(model.s3Uri) : undefined;
        if (uriError) {
            fail(`${at}.s3Uri ${uriError}`);
        }
        if (model.s3Uri && args.multiModel) {
            fail(
                `${at}.s3Uri cannot be combined with multiModel: a multi-model endpoint serves every model ` +
                    `from its own S3 prefix, so give the model as a local path`,
            );
        }
    });
    if (args.multiModel) {
        validateModelCount(
            models.map((m) => m.name),
            fail,
        );
    }
}

/** The allow list must fit where it goes: the Lambda's environment and the function role's policy. */
function validateModelCount(names: string[], fail: Fail): void {
    const envBytes = Buffer.byteLength(names.join(","));
    if (envBytes > MAX_MODEL_NAMES_BYTES) {
        fail(
            `models has ${names.length} models whose names take ${envBytes} bytes in the function's MODEL_NAMES variable; ` +
                `at most ${MAX_MODEL_NAMES_BYTES} fit in Lambda's 4 KB of environment variables: split the models ` +
                `over several ModelApi instances, or shorten their names`,
        );
    }
    const policyChars = JSON.stringify(names.map(multiModelArchiveName)).length;
    if (policyChars > MAX_TARGET_MODEL_CHARS) {
        fail(
            `models has ${names.length} models whose sagemaker:TargetModel list takes ${policyChars} characters in the ` +
                `function role's policy; at most ${MAX_TARGET_MODEL_CHARS} fit in IAM's 10,240 characters of inline ` +
                `policy per role: split the models over several ModelApi instances, or shorten their names`,
        );
    }
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
            fail(
                `multiModel cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not host multi-model containers`,
            );
        }
        if (endpoint.autoscaling) {
            fail(`endpoint.serverless cannot be combined with endpoint.autoscaling: serverless endpoints scale by maxConcurrency`);
        }
        if (endpoint.instanceType !== undefined || endpoint.instanceCount !== undefined) {
            fail(`endpoint.serverless cannot be combined with endpoint.instanceType or endpoint.instanceCount`);
        }
        if (endpoint.dataCapture) {
            fail(
                `endpoint.dataCapture cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support data capture`,
            );
        }
        if (endpoint.networkIsolation === true) {
            fail(
                `endpoint.networkIsolation cannot be true with endpoint.serverless: SageMaker serverless endpoints do not support network isolation`,
            );
        }
        const memory = serverless.memorySizeMb;
        if (memory !== undefined && !SERVERLESS_MEMORY_SIZES.includes(memory)) {
            fail(`endpoint.serverless.memorySizeMb must be one of ${SERVERLESS_MEMORY_SIZES.join(", ")}; got ${memory}`);
        }
        const concurrency = serverless.maxConcurrency;
        if (
            concurrency !== undefined &&
            !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_SERVERLESS_CONCURRENCY)
        ) {
            fail(`endpoint.serverless.maxConcurrency must be an integer from 1 to ${MAX_SERVERLESS_CONCURRENCY}; got ${concurrency}`);
        }
    }
    if (args.multiModel && endpoint.instanceType !== undefined && GPU_INSTANCE_TYPE.test(endpoint.instanceType)) {
        // "Supported algorithms, frameworks, and instances for multi-model endpoints" (SageMaker Developer
        // Guide): every CPU instance type, and GPU instances only through SageMaker's Triton server.
        fail(
            `endpoint.instanceType "${endpoint.instanceType}" is a GPU instance type, which multiModel cannot use: ` +
                `SageMaker hosts multi-model endpoints on GPU instances only with its Triton Inference Server container; ` +
                `choose a CPU instance type such as ml.m5.large`,
        );
    }
    const count = endpoint.instanceCount;
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
        fail(`endpoint.instanceCount must be a positive integer; got ${count}`);
    }
    if (endpoint.autoscaling) {
        const scaling = withDefaults(autoscalingDefaults(), endpoint.autoscaling);
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
        // Application Auto Scaling takes cooldowns as whole seconds ("TargetTrackingScalingPolicyConfiguration",
        // Application Auto Scaling API Reference).
        for (const key of ["scaleInCooldownSeconds", "scaleOutCooldownSeconds"] as const) {
            if (!(Number.isInteger(scaling[key]) && scaling[key] >= 0)) {
                fail(`endpoint.autoscaling.${key} must be a whole number of seconds, 0 or more; got ${scaling[key]}`);
            }
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
    if (api.stageName !== undefined && !STAGE_NAME.test(api.stageName)) {
        fail(`api.stageName must contain only letters, digits, hyphens and underscores, at most 128 characters; got "${api.stageName}"`);
    }
    const corsProblem = api.cors === undefined ? undefined : corsOriginsProblem(api.cors?.allowOrigins);
    if (corsProblem) fail(`api.cors.allowOrigins ${corsProblem}`);
    // API Gateway takes the rate as a double, the burst and the quota as integers ("ThrottleSettings" and
    // "QuotaSettings", API Gateway REST API Reference).
    if (api.docs !== undefined && typeof api.docs !== "boolean") {
        fail(`api.docs must be true or false; got ${JSON.stringify(api.docs)}`);
    }
    positive(fail, "api.throttle.rateLimit", api.throttle?.rateLimit);
    positiveInteger(fail, "api.throttle.burstLimit", api.throttle?.burstLimit);
    positiveInteger(fail, "api.quota.limit", api.quota?.limit);
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

function validateArtifacts(args: ModelApiArgs, fail: Fail): void {
    const key = args.artifacts?.kmsKeyArn;
    if (key === undefined || KMS_KEY_ARN.test(key)) {
        return;
    }
    // "Specifying KMS keys in IAM policy statements" (AWS KMS Developer Guide): a policy names a key by its
    // key ARN only; on an alias ARN, kms:Decrypt would not be allowed on the key behind it.
    const alias = /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias\//.test(key);
    fail(
        `artifacts.kmsKeyArn must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>); got ` +
            (alias ? `the alias ARN "${key}", and IAM does not authorize kms:Decrypt on a key through its alias` : `"${key}"`),
    );
}

function positiveInteger(fail: Fail, argument: string, value: number | undefined): void {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
        fail(`${argument} must be a positive integer; got ${value}`);
    }
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
