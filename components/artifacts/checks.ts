/**
 * @internal Checks of `models` and `artifacts`: the rules every entry point shares (core/input-validation.ts),
 * what a multi-model endpoint's allow list must fit in, and the bucket's key.
 */
import * as fs from "fs";
import { duplicateNameErrors, modelNameError, modelSourceError, s3UriError } from "../../core/input-validation";
import type { ModelApiArgs, ModelSpec } from "../args";
import type { Report } from "../checks";
import { multiModelArchiveName } from "./model-artifacts";

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

/** @internal A KMS key ARN (not an alias ARN, key id or alias name). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;

/** @internal Reports every model that cannot be served. */
export function validateModels(args: ModelApiArgs, report: Report): void {
    const models: unknown = args.models ?? [];
    if (!Array.isArray(models) || models.length === 0) {
        report("models", `must be a list of at least one model`);
        return;
    }
    if (!args.multiModel && models.length > 1) {
        report("models", `has ${models.length} entries but multiModel is not set; serve one model, or set multiModel: true`);
    }
    let namesValid = true;
    const repeats = new Map(duplicateNameErrors(models.map((m) => (isModel(m) ? m.name : undefined))).map((d) => [d.index, d.message]));
    models.forEach((model: unknown, i) => {
        const at = `models[${i}]`;
        if (!isModel(model)) {
            report(at, `must be a model, {name, path} or {name, s3Uri}; got ${JSON.stringify(model)}`);
            namesValid = false;
            return;
        }
        const nameError = modelNameError(model.name);
        if (nameError) {
            report(`${at}.name`, nameError);
            namesValid = false;
        } else if (repeats.has(i)) {
            report(`${at}.name`, repeats.get(i)!);
        }
        validateSource(args, model, at, report);
    });
    if (args.multiModel && namesValid) {
        validateModelCount(
            models.map((m: ModelSpec) => m.name),
            report,
        );
    }
}

function isModel(value: unknown): value is ModelSpec {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Where one model comes from; its path and URI only mean something once exactly one of them is set. */
function validateSource(args: ModelApiArgs, model: ModelSpec, at: string, report: Report): void {
    const sourceError = modelSourceError(model);
    if (sourceError) {
        report(at, `("${model.name}") ${sourceError}`);
        return;
    }
    if (model.path && !fs.existsSync(model.path)) {
        report(`${at}.path`, `"${model.path}" does not exist`);
    }
    const uriError = model.s3Uri ? s3UriError(model.s3Uri) : undefined;
    if (uriError) {
        report(`${at}.s3Uri`, uriError);
    }
    if (model.s3Uri && args.multiModel) {
        report(
            `${at}.s3Uri`,
            `cannot be combined with multiModel: a multi-model endpoint serves every model ` +
                `from its own S3 prefix, so give the model as a local path`,
        );
    }
}

/** The allow list must fit where it goes: the Lambda's environment and the function role's policy. */
function validateModelCount(names: string[], report: Report): void {
    const envBytes = Buffer.byteLength(names.join(","));
    if (envBytes > MAX_MODEL_NAMES_BYTES) {
        report(
            "models",
            `has ${names.length} models whose names take ${envBytes} bytes in the function's MODEL_NAMES variable; ` +
                `at most ${MAX_MODEL_NAMES_BYTES} fit in Lambda's 4 KB of environment variables: split the models ` +
                `over several ModelApi instances, or shorten their names`,
        );
    }
    const policyChars = JSON.stringify(names.map(multiModelArchiveName)).length;
    if (policyChars > MAX_TARGET_MODEL_CHARS) {
        report(
            "models",
            `has ${names.length} models whose sagemaker:TargetModel list takes ${policyChars} characters in the ` +
                `function role's policy; at most ${MAX_TARGET_MODEL_CHARS} fit in IAM's 10,240 characters of inline ` +
                `policy per role: split the models over several ModelApi instances, or shorten their names`,
        );
    }
}

/** @internal Reports a bucket key IAM could not authorize. */
export function validateArtifacts(args: ModelApiArgs, report: Report): void {
    const key = args.artifacts?.kmsKeyArn;
    if (key === undefined || KMS_KEY_ARN.test(key)) {
        return;
    }
    // "Specifying KMS keys in IAM policy statements" (AWS KMS Developer Guide): a policy names a key by its
    // key ARN only; on an alias ARN, kms:Decrypt would not be allowed on the key behind it.
    const alias = /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias\//.test(key);
    report(
        "artifacts.kmsKeyArn",
        `must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>); got ` +
            (alias ? `the alias ARN "${key}", and IAM does not authorize kms:Decrypt on a key through its alias` : `"${key}"`),
    );
}
