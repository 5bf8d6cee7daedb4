/**
 * Settings read from the environment. Read per request (it costs microseconds) so that the
 * local twin, which sets env after loading the module, and tests see their own values.
 */

/** Payload limits of SageMaker's InvokeEndpoint, by endpoint kind. */
export const PAYLOAD_LIMITS = {
    realtime: 6 * 1024 * 1024,
    serverless: 4 * 1024 * 1024,
} as const;

export type EndpointKind = keyof typeof PAYLOAD_LIMITS;

/** SageMaker's own invocation limit; a Lambda context with less time left wins. */
export const DEFAULT_INVOKE_TIMEOUT_MS = 60_000;

export interface HandlerConfig {
    /** The SageMaker endpoint to invoke; undefined is a deployment error reported per request. */
    endpointName?: string;
    /** Allowed model names; non-empty means multi-model mode. */
    modelNames: string[];
    endpointKind: EndpointKind;
    payloadLimit: number;
    invokeTimeoutMs: number;
}

/** A deployment mistake: the handler answers 500 and logs the reason. */
export class ConfigError extends Error {
    name = "ConfigError";
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
    const kind = (env.ENDPOINT_KIND ?? "").trim() || "realtime";
    if (kind !== "realtime" && kind !== "serverless") {
        throw new ConfigError(`ENDPOINT_KIND must be "realtime" or "serverless", got "${kind}"`);
    }
    const modelNames = (env.MODEL_NAMES ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name.length > 0);
    return {
        endpointName: env.ENDPOINT_NAME?.trim() || undefined,
        modelNames,
        endpointKind: kind,
        payloadLimit: PAYLOAD_LIMITS[kind],
        invokeTimeoutMs: parseTimeout(env.INVOKE_TIMEOUT_MS),
    };
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
