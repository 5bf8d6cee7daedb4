/**
 * API Gateway's own error answers (a missing API key, throttling, its integration timeout, a failed
 * Lambda), which never reach the handler: the gateway responses that give them the API's error shape,
 * and the two answers no gateway response can change. The component creates one gateway response per
 * row; the local twin answers from the same rows and templates.
 *
 * "Gateway responses in API Gateway" and "Gateway response types for API Gateway" (API Gateway
 * Developer Guide): a response type keeps its default status unless a status is set, which none of
 * these rows does; DEFAULT_4XX and DEFAULT_5XX apply to every type of their class without a response
 * of its own. A template is not VTL: it takes `$context` variables by simple substitution only, so a
 * message of our own is a constant, and API Gateway's own comes from `$context.error.messageString`,
 * "the quoted value of $context.error.message" ("$context variables for data models, authorizers,
 * mapping templates, and CloudWatch access logging").
 */
import { apiErrorJson, type ApiErrorCode } from "./errors";
import { API_GATEWAY_MAX_PAYLOAD_BYTES } from "./limits";
import { HEADERS } from "./sagemaker";

/** The gateway response types ModelApi customises (`responseType` of "GatewayResponse", API Gateway API reference). */
export type GatewayResponseType =
    | "DEFAULT_4XX"
    | "DEFAULT_5XX"
    | "INVALID_API_KEY"
    | "MISSING_AUTHENTICATION_TOKEN"
    | "INVALID_SIGNATURE"
    | "EXPIRED_TOKEN"
    | "ACCESS_DENIED"
    | "THROTTLED"
    | "QUOTA_EXCEEDED"
    | "INTEGRATION_TIMEOUT";

export interface GatewayResponseSpec {
    /** The status API Gateway answers with (its default for the type); undefined for the DEFAULT_ rows, whose types vary. */
    status?: number;
    code: ApiErrorCode;
    /**
     * The message, a constant; undefined: API Gateway's own. Constants are used wherever API Gateway's
     * text may vary (the IAM types quote the signed request), since a template cannot escape it for JSON.
     */
    message?: string;
}

export const GATEWAY_RESPONSES = {
    // Catch-alls, for the types below and any other (a WAF rule, a misconfigured integration).
    DEFAULT_4XX: { code: "GatewayRejected" },
    DEFAULT_5XX: { code: "GatewayError" },
    // A missing key as well as a wrong one: LocalStack's AWS-validated emulation raises this type for
    // both (localstack, services/apigateway/next_gen/execute_api/handlers/api_key_validation.py).
    INVALID_API_KEY: {
        status: 403,
        code: "Forbidden",
        message: `Missing or wrong API key: send the API key in the ${HEADERS.apiKey} header.`,
    },
    MISSING_AUTHENTICATION_TOKEN: {
        status: 403,
        code: "MissingAuthenticationToken",
        message: "The request is not signed: sign it with AWS Signature Version 4 for the service execute-api.",
    },
    INVALID_SIGNATURE: {
        status: 403,
        code: "InvalidSignature",
        message:
            "The request's signature does not match: check the credentials, the region and the service (execute-api) it was signed for.",
    },
    EXPIRED_TOKEN: {
        status: 403,
        code: "ExpiredToken",
        message: "The security token of the request has expired: sign it with fresh credentials.",
    },
    ACCESS_DENIED: { status: 403, code: "AccessDenied", message: "The signing identity may not invoke this API (execute-api:Invoke)." },
    THROTTLED: { status: 429, code: "TooManyRequests", message: "Too many requests for the API's throttle: retry after a short wait." },
    QUOTA_EXCEEDED: { status: 429, code: "QuotaExceeded", message: "The API key's usage plan quota is used up for this period." },
    INTEGRATION_TIMEOUT: {
        status: 504,
        code: "GatewayTimeout",
        message: "The API did not answer within API Gateway's integration timeout (29 seconds).",
    },
} as const satisfies Record<GatewayResponseType, GatewayResponseSpec>;

/** `$context` variables the templates use. */
export const GATEWAY_MESSAGE_VARIABLE = "$context.error.messageString";
export const GATEWAY_REQUEST_ID_VARIABLE = "$context.requestId";

/** The `application/json` template of a gateway response: the API's error shape, filled in by API Gateway. */
export function gatewayResponseTemplate(type: GatewayResponseType): string {
    const spec: GatewayResponseSpec = GATEWAY_RESPONSES[type];
    if (spec.message !== undefined) return apiErrorJson(spec.code, spec.message, GATEWAY_REQUEST_ID_VARIABLE);
    // messageString is already a quoted JSON string: put it in unquoted, as AWS's own examples do.
    const marker = "\u0000message";
    return apiErrorJson(spec.code, marker, GATEWAY_REQUEST_ID_VARIABLE).replace(JSON.stringify(marker), GATEWAY_MESSAGE_VARIABLE);
}

/**
 * A template filled in as API Gateway fills it: `requestId` for `$context.requestId`, and API Gateway's
 * own `message`, quoted, for `$context.error.messageString`.
 */
export function renderGatewayTemplate(template: string, requestId: string, message: string): string {
    return template.split(GATEWAY_MESSAGE_VARIABLE).join(JSON.stringify(message)).split(GATEWAY_REQUEST_ID_VARIABLE).join(requestId);
}

/** An answer as it goes on the wire. */
export interface RawAnswer {
    status: number;
    headers: Record<string, string>;
    body: string;
}

/**
 * The answers to a request too large, which no gateway response changes: "Customizing the default gateway
 * response for 413 REQUEST_TOO_LARGE isn't currently supported" ("Amazon API Gateway important notes").
 * No AWS page states their bodies; both are captured, with their headers, from one deployed REST API
 * (koki-develop/lgtm-generator issue 10, 2021). That API was edge-optimized: a regional one may word them
 * differently, which only a deployed API can tell.
 */
export const UNSHAPED_GATEWAY_ANSWERS = {
    /** A body that fits API Gateway's 10 MB but whose Lambda event exceeds Lambda's 6 MB. */
    eventTooLarge: {
        status: 413,
        headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "BadRequestException" },
        body: '{"message": "Request Too Long"}',
    },
    /** A body over API Gateway's 10 MB, refused before anything of the API runs (no request id either). */
    bodyTooLarge: {
        status: 413,
        headers: { "Content-Type": "text; charset=utf-8" },
        body: `HTTP content length exceeded ${API_GATEWAY_MAX_PAYLOAD_BYTES} bytes.`,
    },
} as const satisfies Record<string, RawAnswer>;
