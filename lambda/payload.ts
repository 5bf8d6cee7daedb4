/**
 * Request bodies in, model answers out: header lookup, content negotiation, base64 and size.
 * Everything here runs before SageMaker is called, so a bad request costs no endpoint time.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
    type BodyLimits,
    customAttributesProblem,
    DEFAULT_CONTENT_TYPE,
    HEADERS,
    isTextType,
    JSON_TYPE,
    MAX_RESULT_JSON_BYTES,
    mediaType,
    NPY_TYPE,
    REQUEST_CONTENT_TYPES,
    VARIANT_HEADER,
} from "../contract";
import { chooseAccept } from "./accept";
import { HttpError } from "./errors";

export interface ModelRequest {
    body: Uint8Array;
    /** Passed to SageMaker as sent, parameters included. */
    contentType: string;
    /** The one type that will be answered (accept.ts). */
    accept: string;
    customAttributes?: string;
}

/** Header value regardless of case; API Gateway keeps the client's spelling. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const [key, value] of Object.entries(event.headers ?? {})) {
        if (key.toLowerCase() === wanted && value !== undefined && value !== null) return value;
    }
    for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
        if (key.toLowerCase() === wanted && values && values.length > 0) return values[values.length - 1];
    }
    return undefined;
}

/** The media type of a request's Content-Type; throws the 415 for one the model server does not take. */
export function requestMediaType(contentType: string): string {
    const type = mediaType(contentType);
    if (!(REQUEST_CONTENT_TYPES as readonly string[]).includes(type)) {
        throw new HttpError(
            415,
            "UnsupportedMediaType",
            `Content-Type ${type} is not supported; use one of ${REQUEST_CONTENT_TYPES.join(", ")}.`,
        );
    }
    return type;
}

/** Validates the request around its decoded body; throws the 400/406/413/415 the caller should see. */
export function readModelRequest(event: APIGatewayProxyEvent, body: Buffer, limits: BodyLimits): ModelRequest {
    const contentType = header(event, "content-type")?.trim() || DEFAULT_CONTENT_TYPE;
    const type = requestMediaType(contentType);
    if (body.length === 0) {
        throw new HttpError(400, "BadRequest", "The request body is empty.");
    }
    // Binary bodies cross the Lambda event base64-encoded, a third larger, so their limit is lower.
    const binary = event.isBase64Encoded === true;
    const limit = binary ? limits.binary : limits.text;
    if (body.length > limit) {
        throw new HttpError(
            413,
            "PayloadTooLarge",
            `The request body is ${body.length} bytes; this endpoint accepts at most ${limit} bytes of ${binary ? "binary" : "text"} body.`,
        );
    }
    if (isTextType(type)) {
        checkText(event, body, type);
    }
    return {
        body,
        contentType,
        accept: chooseAccept(header(event, "accept")),
        customAttributes: customAttributes(event),
    };
}

/** The request's custom attributes, refused here rather than by SageMaker when they break its rule. */
export function customAttributes(event: APIGatewayProxyEvent): string | undefined {
    const value = header(event, HEADERS.customAttributes);
    const problem = value === undefined ? undefined : customAttributesProblem(value);
    if (problem) {
        // The value is not repeated: SageMaker treats it as sensitive, and so does the log.
        throw new HttpError(400, "BadRequest", `The ${HEADERS.customAttributes} header has ${problem}.`);
    }
    return value;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A text body must be UTF-8, and a JSON body well-formed, before an endpoint invocation is spent on it. */
function checkText(event: APIGatewayProxyEvent, body: Buffer, type: string): void {
    let text: string;
    if (event.isBase64Encoded) {
        try {
            text = UTF8.decode(body);
        } catch {
            throw notUtf8();
        }
    } else {
        // API Gateway hands text payloads over as UTF-8 strings ("Binary media types for REST APIs in API
        // Gateway"); bytes that are not UTF-8 cannot survive that and arrive as U+FFFD, so a body holding
        // it was not UTF-8 when sent (the container refuses such a body too).
        text = event.body ?? "";
        if (text.includes("\uFFFD")) throw notUtf8();
    }
    if (type === JSON_TYPE) {
        try {
            JSON.parse(text);
        } catch (err) {
            throw new HttpError(400, "BadRequest", `The request body is not well-formed JSON: ${(err as Error).message}`);
        }
    }
}

function notUtf8(): HttpError {
    return new HttpError(400, "BadRequest", `The request body is not UTF-8 text; send text bodies as UTF-8, binary data as ${NPY_TYPE}.`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The body's bytes; API Gateway base64-encodes binary media types. Throws 400 for bad base64. */
export function decodeBody(event: APIGatewayProxyEvent): Buffer {
    const raw = event.body ?? "";
    if (!event.isBase64Encoded) {
        return Buffer.from(raw, "utf8");
    }
    // Buffer.from silently skips bad characters; a corrupted body must not reach the model.
    if (raw.length % 4 !== 0 || !BASE64.test(raw)) {
        throw new HttpError(400, "BadRequest", "The request body is not valid base64.");
    }
    return Buffer.from(raw, "base64");
}

export interface ModelResponse {
    body: Uint8Array;
    contentType?: string;
    customAttributes?: string;
    /** The production variant that answered (`InvokedProductionVariant`). */
    invokedVariant?: string;
}

/** The model's body as-is, with its Content-Type; a 502 that says why when it cannot fit. */
export function modelResult(res: ModelResponse): APIGatewayProxyResult {
    const contentType = res.contentType || "application/octet-stream";
    const bytes = Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    const text = isTextType(contentType);
    const headers: Record<string, string> = { "Content-Type": contentType };
    if (res.customAttributes !== undefined) {
        headers[HEADERS.customAttributes] = res.customAttributes;
    }
    if (res.invokedVariant !== undefined) {
        headers[VARIANT_HEADER] = res.invokedVariant;
    }
    const body = bytes.toString(text ? "utf8" : "base64");
    // Only large answers pay for the exact count: JSON escaping can grow text (each newline is 2 bytes).
    if (body.length > MAX_RESULT_JSON_BYTES / 2 && Buffer.byteLength(JSON.stringify(body)) > MAX_RESULT_JSON_BYTES) {
        throw new HttpError(
            502,
            "ResponseTooLarge",
            `The model's answer (${bytes.length} bytes${text ? "" : ", base64-encoded for the API"}) is larger than the API can return (6 MB).`,
        );
    }
    return { statusCode: 200, headers, body, isBase64Encoded: !text };
}
