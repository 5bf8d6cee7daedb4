/**
 * Rules about models that every entry point checks the same way, in the same words: the component
 * (components/artifacts/checks.ts), the stack config reader (stacks/config.ts) and the local twin's arguments (local/args.ts).
 * Each function takes a value and returns what is wrong with it, or undefined when nothing is; the caller
 * puts the name of its own argument in front (`models[0].name`, `modelapi:models[0].name`, `model name`)
 * and throws its own error type. No dependencies beyond naming.ts, so the twin can load it cheaply.
 */
import { MAX_COMPONENT_NAME_LENGTH, MAX_MODEL_NAME_LENGTH, NAME_PATTERN } from "./naming";

/** @internal SageMaker's name rule, in words. */
export const NAME_RULE = "letters, digits and hyphens, starting and ending with a letter or digit";

/** @internal An `s3://bucket/key` URI with a valid bucket name. */
export const S3_URI_PATTERN = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/**
 * @internal What is wrong with a model name, e.g. `"iris.v2" is not valid: use 1-63 letters, digits and
 * hyphens, starting and ending with a letter or digit`; undefined for a valid name. The name is used in S3
 * keys, as the multi-model archive name and in routes, so it follows SageMaker's rule.
 */
export function modelNameError(name: unknown): string | undefined {
    if (typeof name === "string" && NAME_PATTERN.test(name) && name.length <= MAX_MODEL_NAME_LENGTH) {
        return undefined;
    }
    return `${JSON.stringify(name)} is not valid: use 1-${MAX_MODEL_NAME_LENGTH} ${NAME_RULE}`;
}

/**
 * @internal What is wrong with a component name: SageMaker's rule, and short enough that every child's
 * auto-generated AWS name fits its limit (see naming.ts).
 */
export function componentNameError(name: unknown): string | undefined {
    if (typeof name === "string" && NAME_PATTERN.test(name) && name.length <= MAX_COMPONENT_NAME_LENGTH) {
        return undefined;
    }
    return (
        `${JSON.stringify(name)} is not valid: use 1-${MAX_COMPONENT_NAME_LENGTH} ${NAME_RULE} ` +
        `(child names such as "<name>-endpoint-role" plus an 8-character auto-name suffix must fit AWS's name limits)`
    );
}

/**
 * @internal Every name used again after its first use, with its position and what is wrong, e.g.
 * `[{ index: 1, message: '"iris" is used more than once; model names must be unique' }]`.
 */
export function duplicateNameErrors(names: readonly unknown[]): { index: number; message: string }[] {
    const seen = new Set<unknown>();
    const repeats: { index: number; message: string }[] = [];
    for (const [index, name] of names.entries()) {
        if (seen.has(name)) {
            repeats.push({ index, message: `${JSON.stringify(name)} is used more than once; model names must be unique` });
        }
        seen.add(name);
    }
    return repeats;
}

/** @internal The first name used a second time, with its position and what is wrong (see duplicateNameErrors). */
export function duplicateNameError(names: readonly string[]): { index: number; message: string } | undefined {
    return duplicateNameErrors(names)[0];
}

/** @internal What is wrong with where a model comes from: it needs exactly one of `path` and `s3Uri`. */
export function modelSourceError(model: { path?: unknown; s3Uri?: unknown }): string | undefined {
    const given = [model.path, model.s3Uri].filter((s) => s !== undefined && s !== "");
    return given.length === 1 ? undefined : `must set exactly one of path and s3Uri`;
}

/** @internal What is wrong with a model's `s3Uri`. */
export function s3UriError(uri: unknown): string | undefined {
    return typeof uri === "string" && S3_URI_PATTERN.test(uri)
        ? undefined
        : `${JSON.stringify(uri)} must look like s3://bucket/key/model.tar.gz`;
}
