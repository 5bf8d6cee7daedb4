/**
 * @internal Every error answer each operation of the API can give, by status, with what each error code means
 * to a caller: the one listing the OpenAPI document and the Postman collection describe. A code of the
 * contract (contract/errors.ts) without a line here does not compile.
 */
import { type ApiErrorCode, HEADERS, UNSHAPED_GATEWAY_ANSWERS, VARIANT_HEADER } from "../../contract";
import type { AuthScheme } from "./auth";
import type { SurfaceRoute } from "./surface";

/** @internal What an error code means, and a message it comes with. */
export interface ErrorDoc {
    when: string;
    example: string;
}

/** @internal The documents' words for each error code. */
export const ERROR_DOCS = {
    BadRequest: {
        when: `the body is empty, not well-formed JSON, not UTF-8 text or not valid base64, the ${HEADERS.customAttributes} header breaks SageMaker's rule (at most 1024 visible ASCII characters), or the ${VARIANT_HEADER} header names a model version the API does not serve`,
        example: "The request body is not well-formed JSON: Unexpected end of JSON input",
    },
    ValidationError: {
        when: "SageMaker refused the request (its message, account ids and ARNs redacted)",
        example: "Endpoint <arn> of account <account> not found.",
    },
    ModelError: {
        when: "the model's own 4xx, passed through with its status and message: any 4xx the model's code chooses, e.g. 422 from an inference.py that raises an error with status_code 422",
        example: "expected 4 features per row, got 1",
    },
    Forbidden: {
        when: `the API key is missing or wrong (${HEADERS.apiKey} header); answered by API Gateway`,
        example: `Missing or wrong API key: send the API key in the ${HEADERS.apiKey} header.`,
    },
    MissingAuthenticationToken: {
        when: "the request is not signed with AWS Signature Version 4; answered by API Gateway",
        example: "The request is not signed: sign it with AWS Signature Version 4 for the service execute-api.",
    },
    InvalidSignature: {
        when: "the signature does not match the request; answered by API Gateway",
        example:
            "The request's signature does not match: check the credentials, the region and the service (execute-api) it was signed for.",
    },
    ExpiredToken: {
        when: "the signing credentials have expired; answered by API Gateway",
        example: "The security token of the request has expired: sign it with fresh credentials.",
    },
    AccessDenied: {
        when: "the signing identity may not call execute-api:Invoke on this API; answered by API Gateway",
        example: "The signing identity may not invoke this API (execute-api:Invoke).",
    },
    NotFound: { when: "no route has this path", example: "No route for POST /nowhere. Use POST /predict." },
    ModelNotFound: {
        when: "the model named in the path is not served here (GET /models lists those that are)",
        example: 'Model "nope" is not served here; GET /models lists the models.',
    },
    MethodNotAllowed: {
        when: "a known path with another method; the Allow header names the right one",
        example: "GET is not allowed on /predict; use POST.",
    },
    NotAcceptable: {
        when: "nothing in Accept can be answered, or application/x-npy is asked for but not as the first type (API Gateway would return it as base64 text)",
        example:
            "application/x-npy answers reach the caller as bytes only when application/x-npy is the first type in Accept; put it first, or accept application/json.",
    },
    PayloadTooLarge: {
        when: "the body is larger than what fits through API Gateway, Lambda and the endpoint; answered by the API with the limit",
        example: "The request body is 5200000 bytes; this endpoint accepts at most 5188266 bytes of text body.",
    },
    UnsupportedMediaType: {
        when: "a Content-Type the model server cannot read",
        example: "Content-Type application/xml is not supported; use one of application/json, text/csv, application/x-npy.",
    },
    TooManyRequests: {
        when: "over the stage's or the usage plan's throttle; answered by API Gateway",
        example: "Too many requests for the API's throttle: retry after a short wait.",
    },
    QuotaExceeded: {
        when: "the API key's usage plan quota is used up; answered by API Gateway",
        example: "The API key's usage plan quota is used up for this period.",
    },
    GatewayRejected: { when: "API Gateway refused the request for a reason without a code of its own", example: "Forbidden" },
    InternalError: {
        when: "the API itself failed or is misconfigured; only the requestId is shared, quote it",
        example: "Internal error; quote the requestId when reporting it.",
    },
    ModelFailure: {
        when: "the model failed (it answered 5xx); its text stays in its log",
        example: "The model failed to process the request.",
    },
    GatewayError: {
        when: "API Gateway got no usable answer from the function (it crashed or timed out, its answer was malformed or too large) or is misconfigured; answered by API Gateway with its own message",
        example: "Internal server error",
    },
    ResponseTooLarge: {
        when: "the model's answer is larger than the API can return (6 MB, binary answers counted base64-encoded)",
        example: "The model's answer (7000000 bytes) is larger than the API can return (6 MB).",
    },
    ModelNotReady: {
        when: "the model is still loading (a cold start); retry after Retry-After seconds",
        example: "The model endpoint is temporarily unable to serve the request; retry later.",
    },
    Throttled: {
        when: "SageMaker throttled the call; retry after Retry-After seconds",
        example: "The model endpoint is temporarily unable to serve the request; retry later.",
    },
    ServiceUnavailable: {
        when: "SageMaker is temporarily unavailable; retry after Retry-After seconds",
        example: "The model endpoint is temporarily unable to serve the request; retry later.",
    },
    GatewayTimeout: {
        when: "the model did not answer in time (the API's own deadline), or the API did not answer within API Gateway's 29 seconds (answered by API Gateway)",
        example: "The model did not answer in time.",
    },
} satisfies Record<ApiErrorCode, ErrorDoc>;

/** @internal One status an operation can answer with an error: the codes that come with it. */
export interface ErrorAnswer {
    /** A status, or `4XX` for the model's own 4xx statuses that have no entry of their own. */
    status: string;
    codes: ApiErrorCode[];
    /** API Gateway's answers with this status that no gateway response can give the error shape. */
    unshaped?: (typeof UNSHAPED_GATEWAY_ANSWERS)[keyof typeof UNSHAPED_GATEWAY_ANSWERS][];
}

const AUTH_CODES: Record<AuthScheme, ApiErrorCode[]> = {
    apiKey: ["Forbidden"],
    iam: ["MissingAuthenticationToken", "InvalidSignature", "ExpiredToken", "AccessDenied"],
    none: [],
};

/**
 * @internal The error answers of one operation, by status. A prediction passes the model's own 4xx through
 * with its status (code ModelError), so every 4xx status of a prediction can carry ModelError too, and `4XX`
 * stands for the statuses not listed. API Gateway's own answers (auth, throttling, its timeout and failures)
 * come with every operation, a quota only with API keys (usage plans hold them).
 */
export function errorAnswers(route: SurfaceRoute, auth: AuthScheme, asyncApi = false): ErrorAnswer[] {
    if (ASYNC_ONLY_KINDS.has(route.kind) || (asyncApi && route.kind === "predict")) return asyncErrorAnswers(route, auth);
    const predict = route.kind === "predict";
    const model: ApiErrorCode[] = predict ? ["ModelError"] : [];
    const throttle: ApiErrorCode[] = auth === "apiKey" ? ["TooManyRequests", "QuotaExceeded"] : ["TooManyRequests"];
    const answers: ErrorAnswer[] = [];
    const add = (status: string, codes: ApiErrorCode[], unshaped?: ErrorAnswer["unshaped"]) => {
        if (codes.length > 0) answers.push({ status, codes, ...(unshaped ? { unshaped } : {}) });
    };
    if (predict) add("400", ["BadRequest", "ValidationError", ...model]);
    if (auth !== "none") add("403", [...AUTH_CODES[auth], ...model]);
    if (route.path.includes("{name}")) add("404", ["ModelNotFound", ...model]);
    if (predict) {
        add("406", ["NotAcceptable", ...model]);
        add("413", ["PayloadTooLarge", ...model], [UNSHAPED_GATEWAY_ANSWERS.eventTooLarge, UNSHAPED_GATEWAY_ANSWERS.bodyTooLarge]);
        add("415", ["UnsupportedMediaType", ...model]);
    }
    add("429", [...throttle, ...model]);
    add("4XX", model);
    add("500", predict ? ["ModelFailure", "InternalError", "GatewayError"] : ["InternalError", "GatewayError"]);
    add("502", predict ? ["ResponseTooLarge", "GatewayError"] : ["GatewayError"]);
    if (predict) add("503", ["ModelNotReady", "Throttled", "ServiceUnavailable"]);
    add("504", ["GatewayTimeout", "GatewayError"]);
    return answers;
}

const ASYNC_ONLY_KINDS = new Set<SurfaceRoute["kind"]>(["getPrediction", "createUpload", "predictUpload"]);

/**
 * @internal The error answers of an asynchronous API's own routes (lambda/async-predictions.ts): a finished
 * prediction carries the model's error as a synchronous one does; an unknown or malformed id is 404.
 */
function asyncErrorAnswers(route: SurfaceRoute, auth: AuthScheme): ErrorAnswer[] {
    const throttle: ApiErrorCode[] = auth === "apiKey" ? ["TooManyRequests", "QuotaExceeded"] : ["TooManyRequests"];
    const model: ApiErrorCode[] = route.kind === "getPrediction" ? ["ModelError"] : [];
    const answers: ErrorAnswer[] = [];
    const add = (status: string, codes: ApiErrorCode[], unshaped?: ErrorAnswer["unshaped"]) => {
        if (codes.length > 0) answers.push({ status, codes, ...(unshaped ? { unshaped } : {}) });
    };
    const queues = route.kind === "predict" || route.kind === "predictUpload";
    if (route.kind !== "getPrediction") add("400", ["BadRequest", "ValidationError"]);
    if (route.kind === "getPrediction") add("400", model);
    if (auth !== "none") add("403", [...AUTH_CODES[auth], ...model]);
    if (route.kind === "getPrediction" || route.kind === "predictUpload") add("404", ["NotFound", ...model]);
    if (queues) add("406", ["NotAcceptable"]);
    if (route.kind === "createUpload" || route.kind === "predict") {
        add(
            "413",
            ["PayloadTooLarge"],
            route.kind === "predict" ? [UNSHAPED_GATEWAY_ANSWERS.eventTooLarge, UNSHAPED_GATEWAY_ANSWERS.bodyTooLarge] : undefined,
        );
    }
    if (queues) add("415", ["UnsupportedMediaType"]);
    add("429", [...throttle, ...model]);
    add("4XX", model);
    add("500", route.kind === "getPrediction" ? ["ModelFailure", "InternalError", "GatewayError"] : ["InternalError", "GatewayError"]);
    add("502", ["GatewayError"]);
    if (queues) add("503", ["Throttled", "ServiceUnavailable"]);
    add("504", ["GatewayTimeout", "GatewayError"]);
    return answers;
}
