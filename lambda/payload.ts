/**
 * Request bodies in, model answers out: header lookup, content negotiation, base64 and size.
 * Everything here runs before SageMaker is called, so a bad request costs no endpoint time.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { HttpError } from "./errors";

/** What the serving container can decode (see container/); anything else would only fail there. */
export const SUPPORTED_CONTENT_TYPES = ["application/json", "text/csv", "application/x-npy"] as const;

export const DEFAULT_CONTENT_TYPE = "application/json";

const CUSTOM_ATTRIBUTES = "x-amzn-sagemaker-custom-attributes";

export interface ModelRequest {
    body: Uint8Array;
    /** Passed to SageMaker as sent, parameters included. */
    contentType: string;
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

/** `Text/CSV; charset=utf-8` → `text/csv`. */
export function mediaType(contentType: string): string {
    return contentType.split(";")[0].trim().toLowerCase();
}

/** Validates the request around its decoded body; throws the 400/413/415 the caller should see. */
export function readModelRequest(event: APIGatewayProxyEvent, body: Buffer, payloadLimit: number): ModelRequest {
    const contentType = header(event, "content-type")?.trim() || DEFAULT_CONTENT_TYPE;
    if (!(SUPPORTED_CONTENT_TYPES as readonly string[]).includes(mediaType(contentType))) {
        throw new HttpError(
            415,
            "UnsupportedMediaType",
            `Content-Type ${mediaType(contentType)} is not supported; use one of ${SUPPORTED_CONTENT_TYPES.join(", ")}.`,
        );
    }
    if (body.length === 0) {
        throw new HttpError(400, "BadRequest", "The request body is empty.");
    }
    if (body.length > payloadLimit) {
        throw new HttpError(
            413,
            "PayloadTooLarge",
            `The request body is ${body.length} bytes; this endpoint accepts at most ${payloadLimit} bytes.`,
        );
    }
    return {
        body,
        contentType,
        accept: header(event, "accept")?.trim() || DEFAULT_CONTENT_TYPE,
        customAttributes: header(event, CUSTOM_ATTRIBUTES),
    };
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

/** Types API Gateway can carry as text; everything else is returned base64-encoded. */
export function isTextType(contentType: string): boolean {
    const type = mediaType(contentType);
    return (
        type.startsWith("text/") ||
        type === "application/json" ||
        type.endsWith("+json") ||
        type === "application/xml" ||
        type.endsWith("+xml")
    );
}

export interface ModelResponse {
    body: Uint8Array;
    contentType?: string;
    customAttributes?: string;
}

/**
 * Lambda returns at most 6 MB of response JSON to API Gateway; past that API Gateway answers an
 * opaque 502 "Internal server error". Headroom covers the envelope and headers.
 */
export const MAX_RESPONSE_JSON_BYTES = 6 * 1024 * 1024 - 8 * 1024;

/** The model's body as-is, with its Content-Type; a 502 that says why when it cannot fit. */
export function modelResult(res: ModelResponse): APIGatewayProxyResult {
    const contentType = res.contentType || "application/octet-stream";
    const bytes = Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    const text = isTextType(contentType);
    const headers: Record<string, string> = { "Content-Type": contentType };
    if (res.customAttributes !== undefined) {
        headers["X-Amzn-SageMaker-Custom-Attributes"] = res.customAttributes;
    }
    const body = bytes.toString(text ? "utf8" : "base64");
    // Only large answers pay for the exact count: JSON escaping can grow text (each newline is 2 bytes).
    if (body.length > MAX_RESPONSE_JSON_BYTES / 2 && Buffer.byteLength(JSON.stringify(body)) > MAX_RESPONSE_JSON_BYTES) {
        throw new HttpError(
            502,
            "ResponseTooLarge",
            `The model's answer (${bytes.length} bytes${text ? "" : ", base64-encoded for the API"}) is larger than the API can return (6 MB).`,
        );
    }
    return { statusCode: 200, headers, body, isBase64Encoded: !text };
}
