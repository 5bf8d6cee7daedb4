/**
 * Every failure the API can answer, and how SageMaker's exceptions map onto them.
 * Callers see a stable JSON shape and a status they can act on; internals stay in the log.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import type { ApiErrorCode } from "../contract";

/** A failure with the status, code and message the caller should see. */
export class HttpError extends Error {
    constructor(
        readonly status: number,
        readonly code: ApiErrorCode,
        message: string,
        readonly headers: Record<string, string> = {},
        /** The SDK error name behind this answer, for the log only. */
        readonly upstream?: string,
    ) {
        super(message);
        this.name = "HttpError";
    }
}

/** Seconds a caller should wait before retrying; a model load takes longer than a throttle. */
const RETRY_AFTER_SECONDS: Record<string, number> = {
    ModelNotReadyException: 5,
    ThrottlingException: 1,
    ServiceUnavailable: 2,
    InternalDependencyException: 2,
};

const RETRY_CODES: Record<string, ApiErrorCode> = {
    ModelNotReadyException: "ModelNotReady",
    ThrottlingException: "Throttled",
    ServiceUnavailable: "ServiceUnavailable",
    InternalDependencyException: "ServiceUnavailable",
};

/** Error names the SDK and Node use for timeouts; AbortError is our own per-call deadline firing. */
const TIMEOUT_NAMES = new Set(["TimeoutError", "AbortError", "RequestTimeout", "RequestTimeoutException"]);

interface SdkLikeError {
    name?: string;
    code?: string;
    message?: string;
    OriginalStatusCode?: number;
    OriginalMessage?: string;
}

/** Turns whatever `InvokeEndpoint` threw into the answer for the caller. */
export function fromInvokeError(err: unknown): HttpError {
    const e = (typeof err === "object" && err !== null ? err : {}) as SdkLikeError;
    const name = e.name ?? "Error";

    if (name === "ModelError") {
        const original = e.OriginalStatusCode;
        if (typeof original === "number" && original >= 400 && original < 500) {
            return new HttpError(original, "ModelError", modelMessage(e.OriginalMessage), {}, name);
        }
        // SageMaker reports a container that did not answer within its 60 s as a ModelError with no
        // HTTP status of its own; to the caller that is a timeout, not a broken model.
        if (!(typeof original === "number" && original >= 100) && /timed out/i.test(e.message ?? "")) {
            return new HttpError(504, "GatewayTimeout", "The model did not answer in time.", {}, name);
        }
        // The container crashed or failed: the contract's 500, with its own code so callers and logs can
        // tell it from a fault of this handler. Its text may hold a traceback, so it is not passed on.
        return new HttpError(500, "ModelFailure", "The model failed to process the request.", {}, name);
    }
    if (name in RETRY_CODES) {
        return new HttpError(
            503,
            RETRY_CODES[name],
            "The model endpoint is temporarily unable to serve the request; retry later.",
            { "Retry-After": String(RETRY_AFTER_SECONDS[name]) },
            name,
        );
    }
    if (TIMEOUT_NAMES.has(name) || e.code === "ETIMEDOUT") {
        return new HttpError(504, "GatewayTimeout", "The model did not answer in time.", {}, name);
    }
    if (name === "ValidationError") {
        return new HttpError(400, "ValidationError", redactAccount(e.message ?? "The request was rejected."), {}, name);
    }
    return internalError(name);
}

export function internalError(upstream?: string): HttpError {
    return new HttpError(500, "InternalError", "Internal error; quote the requestId when reporting it.", {}, upstream);
}

/**
 * The container answers errors as JSON; callers want its sentence, not a JSON string inside JSON.
 * Accepts `{"message"}`, `{"error": "..."}` and `{"error": {"message"}}`; anything else passes as text.
 */
export function modelMessage(original: string | undefined): string {
    const text = (original ?? "").trim();
    if (text === "") {
        return "The model rejected the request.";
    }
    try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === "object" && parsed !== null) {
            const obj = parsed as { message?: unknown; error?: unknown };
            if (typeof obj.message === "string") return obj.message;
            if (typeof obj.error === "string") return obj.error;
            const nested = obj.error as { message?: unknown } | null | undefined;
            if (typeof nested === "object" && nested !== null && typeof nested.message === "string") return nested.message;
        }
    } catch {
        // Not JSON: the text is the message.
    }
    return text;
}

/** SageMaker's validation messages can name the AWS account and ARNs; a public caller needs neither. */
function redactAccount(message: string): string {
    return message.replace(/arn:aws[a-z-]*:[^\s"']+/g, "<arn>").replace(/\b\d{12}\b/g, "<account>");
}

/** The JSON error body every failure uses. */
export function errorResponse(err: HttpError, requestId: string): APIGatewayProxyResult {
    return {
        statusCode: err.status,
        headers: { "Content-Type": "application/json", ...err.headers },
        body: JSON.stringify({ error: { code: err.code, message: err.message, requestId } }),
        isBase64Encoded: false,
    };
}
