/**
 * CORS for browser callers: which origins may read answers, and the headers every answer and every
 * preflight carries. Used by the Lambda (its answers and preflights), the component (API Gateway's own
 * error answers) and the local twin.
 */
import { HEADERS } from "./sagemaker";
import { VARIANT_HEADER } from "./variants";

/** Request headers a browser may send. */
export const CORS_ALLOW_HEADERS = [
    "content-type",
    VARIANT_HEADER,
    "accept",
    HEADERS.apiKey,
    HEADERS.customAttributes,
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
];
/** Answer headers a browser script may read besides the CORS-safelisted ones. */
export const CORS_EXPOSE_HEADERS = [HEADERS.customAttributes, "retry-after", HEADERS.requestId, VARIANT_HEADER];
/** How long a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

const ORIGIN = /^https?:\/\/[^/\s?#*]+$/;

/** Why `origins` cannot be an allow list, or undefined when it can. */
export function corsOriginsProblem(origins: unknown): string | undefined {
    if (!Array.isArray(origins) || origins.length === 0) {
        return 'must be a non-empty list of origins such as "https://app.example.com", or ["*"]';
    }
    for (const origin of origins) {
        if (origin === "*") {
            if (origins.length > 1) return '"*" allows every origin and cannot be combined with other origins';
        } else if (typeof origin !== "string" || !ORIGIN.test(origin)) {
            return `"${String(origin)}" is not an origin: use scheme://host[:port] with no path, such as "https://app.example.com"`;
        }
    }
    return undefined;
}

/** The value for `Access-Control-Allow-Origin`, or undefined when `origin` may not read the answer. */
export function allowedOrigin(origin: string | undefined, allowOrigins: readonly string[]): string | undefined {
    if (allowOrigins.includes("*")) return "*";
    return origin !== undefined && allowOrigins.includes(origin) ? origin : undefined;
}

/** Headers for any answer to a request from `origin`; none when CORS is off or the origin is not allowed. */
export function corsHeaders(origin: string | undefined, allowOrigins: readonly string[]): Record<string, string> {
    const allowed = allowedOrigin(origin, allowOrigins);
    if (allowed === undefined) return allowOrigins.length > 0 ? { Vary: "Origin" } : {};
    return { "Access-Control-Allow-Origin": allowed, "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS.join(", "), Vary: "Origin" };
}

/**
 * Headers of API Gateway's own answers (a missing API key's 403, throttling's 429, an integration timeout's
 * 504...), the same whoever asks: a gateway response can send a fixed value or copy a request header, with no
 * condition ("Gateway responses in API Gateway", API Gateway Developer Guide), so it cannot check the caller's
 * Origin against a list. One allowed origin (or "*") is sent as it is. With several none is: copying the
 * caller's Origin would let every site read these answers, the reflection the Fetch standard's single-origin
 * `Access-Control-Allow-Origin` rules out; browsers then cannot read API Gateway's own errors from any origin.
 */
export function gatewayCorsHeaders(allowOrigins: readonly string[]): Record<string, string> {
    if (allowOrigins.length === 0) return {};
    if (allowOrigins.length > 1) return { Vary: "Origin" };
    return {
        "Access-Control-Allow-Origin": allowOrigins[0],
        "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS.join(", "),
        Vary: "Origin",
    };
}

/** Headers for a preflight (OPTIONS) answer allowing `methods`. */
export function preflightHeaders(
    origin: string | undefined,
    allowOrigins: readonly string[],
    methods: readonly string[],
): Record<string, string> {
    const headers = corsHeaders(origin, allowOrigins);
    if (!("Access-Control-Allow-Origin" in headers)) return headers;
    return {
        ...headers,
        "Access-Control-Allow-Methods": [...methods, "OPTIONS"].join(", "),
        "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS.join(", "),
        "Access-Control-Max-Age": String(CORS_MAX_AGE_SECONDS),
    };
}
