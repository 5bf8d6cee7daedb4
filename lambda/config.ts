/**
 * Settings read from the environment. Read per request (it costs microseconds) so that the
 * local twin, which sets env after loading the module, and tests see their own values.
 */
import { ASYNC_BUCKET_ENV, type BodyLimits, ENDPOINT_KINDS, type EndpointKind, requestBodyLimits, VARIANT_NAMES_ENV } from "../contract";

/** SageMaker's own invocation limit; a Lambda context with less time left wins. */
export const DEFAULT_INVOKE_TIMEOUT_MS = 60_000;

export interface HandlerConfig {
    /** The SageMaker endpoint to invoke; undefined is a deployment error reported per request. */
    endpointName?: string;
    /** Allowed model names; non-empty means multi-model mode. */
    modelNames: string[];
    endpointKind: EndpointKind;
    /** Request body limits for this endpoint kind (contract/limits.ts). */
    bodyLimits: BodyLimits;
    invokeTimeoutMs: number;
    /** Production variants a caller may pin (`VARIANT_NAMES`, comma-separated); empty: one variant, no pinning. */
    variantNames: string[];
    /** Origins browsers may call from (`CORS_ALLOW_ORIGINS`, comma-separated); empty: CORS off. */
    corsAllowOrigins: string[];
    /** An asynchronous API's bucket (contract/async.ts); undefined elsewhere, a deployment error on an async API. */
    asyncBucket?: string;
}

/** A deployment mistake: the handler answers 500 and logs the reason. */
export class ConfigError extends Error {
    name = "ConfigError";
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
    const kind = (env.ENDPOINT_KIND ?? "").trim() || "realtime";
    if (!(ENDPOINT_KINDS as readonly string[]).includes(kind)) {
        throw new ConfigError(`ENDPOINT_KIND must be one of ${ENDPOINT_KINDS.map((k) => `"${k}"`).join(", ")}, got "${kind}"`);
    }
    return {
        endpointName: env.ENDPOINT_NAME?.trim() || undefined,
        modelNames: list(env.MODEL_NAMES),
        endpointKind: kind as EndpointKind,
        bodyLimits: requestBodyLimits(kind as EndpointKind),
        invokeTimeoutMs: parseTimeout(env.INVOKE_TIMEOUT_MS),
        corsAllowOrigins: list(env.CORS_ALLOW_ORIGINS),
        variantNames: list(env[VARIANT_NAMES_ENV]),
        asyncBucket: env[ASYNC_BUCKET_ENV]?.trim() || undefined,
    };
}

function list(raw: string | undefined): string[] {
    return (raw ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
}

function parseTimeout(raw: string | undefined): number {
    if (raw === undefined || raw.trim() === "") {
        return DEFAULT_INVOKE_TIMEOUT_MS;
    }
    const ms = Number(raw);
    if (!Number.isFinite(ms) || ms <= 0) {
        throw new ConfigError(`INVOKE_TIMEOUT_MS must be a positive number of milliseconds, got "${raw}"`);
    }
    return ms;
}
