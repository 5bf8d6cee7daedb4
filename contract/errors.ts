/**
 * The error codes of the API's JSON error body `{"error": {"code", "message", "requestId"}}`, with the
 * status each is answered with. The Lambda handler answers most of them; API Gateway answers its own
 * (403, 429, its timeouts and failures) in the same shape through the gateway responses of
 * gateway-responses.ts. Two codes stand for a range: `ModelError` carries the model's own 4xx status,
 * `GatewayError` API Gateway's own 5xx (`GatewayRejected` its 4xx, for a type without a code of its own).
 */
export const API_ERRORS = {
    BadRequest: 400,
    ValidationError: 400,
    Forbidden: 403,
    MissingAuthenticationToken: 403,
    InvalidSignature: 403,
    ExpiredToken: 403,
    AccessDenied: 403,
    NotFound: 404,
    ModelNotFound: 404,
    MethodNotAllowed: 405,
    NotAcceptable: 406,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    TooManyRequests: 429,
    QuotaExceeded: 429,
    ModelError: 400,
    GatewayRejected: 400,
    InternalError: 500,
    ModelFailure: 500,
    GatewayError: 502,
    ResponseTooLarge: 502,
    ModelNotReady: 503,
    Throttled: 503,
    ServiceUnavailable: 503,
    GatewayTimeout: 504,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The error body of every error answer of the API, the handler's and API Gateway's alike. */
export interface ApiErrorBody {
    error: { code: ApiErrorCode; message: string; requestId: string };
}

/** The JSON text of an error body: compact, members in this order, as the gateway templates write it too. */
export function apiErrorJson(code: ApiErrorCode, message: string, requestId: string): string {
    const body: ApiErrorBody = { error: { code, message, requestId } };
    return JSON.stringify(body);
}
