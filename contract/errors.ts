/**
 * The error codes of the API's JSON error body `{"error": {"code", "message", "requestId"}}`, with the
 * status each is answered with. `ModelError` carries the model's own 4xx status.
 */
export const API_ERRORS = {
    BadRequest: 400,
    ValidationError: 400,
    NotFound: 404,
    ModelNotFound: 404,
    MethodNotAllowed: 405,
    NotAcceptable: 406,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    ModelError: 400,
    InternalError: 500,
    ModelFailure: 500,
    ResponseTooLarge: 502,
    ModelNotReady: 503,
    Throttled: 503,
    ServiceUnavailable: 503,
    GatewayTimeout: 504,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;
