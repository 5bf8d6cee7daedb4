/**
 * Content types of the data path: what the serving container reads and writes, which of them travel
 * base64-encoded through API Gateway, and how a media type is read from a header.
 */

export const JSON_TYPE = "application/json";
export const CSV_TYPE = "text/csv";
export const NPY_TYPE = "application/x-npy";

/** Request bodies the serving container can decode (container/modelapi_serving/codecs.py). */
export const REQUEST_CONTENT_TYPES = [JSON_TYPE, CSV_TYPE, NPY_TYPE] as const;
/** Answers the container's default encoder can produce. */
export const RESPONSE_CONTENT_TYPES = [JSON_TYPE, CSV_TYPE, NPY_TYPE] as const;
/** Assumed for a request without Content-Type, and answered for `Accept: *\/*` or none. */
export const DEFAULT_CONTENT_TYPE = JSON_TYPE;

/**
 * The REST API's `binaryMediaTypes`. API Gateway hands a request body of these types to the Lambda
 * base64-encoded (`isBase64Encoded`), and turns a base64 answer back into bytes only when the first
 * type in `Accept` is one of them ("Binary media types for REST APIs in API Gateway"; "Content type
 * conversions in API Gateway"). Every other body is a UTF-8 text payload.
 */
export const BINARY_MEDIA_TYPES = [NPY_TYPE] as const;

/** `Text/CSV; charset=utf-8` → `text/csv`. */
export function mediaType(value: string | undefined): string {
    return (value ?? "").split(";")[0].trim().toLowerCase();
}

/** The first media type of an `Accept` header (what API Gateway decides binary answers on). */
export function firstAcceptType(accept: string | undefined): string {
    return mediaType((accept ?? "").split(",")[0]);
}

/** Whether `type` (a media type or a full header value) matches a binary media type, wildcards included. */
export function isBinaryMediaType(type: string | undefined, binaryTypes: readonly string[] = BINARY_MEDIA_TYPES): boolean {
    const wanted = mediaType(type);
    if (wanted === "") return false;
    const [major] = wanted.split("/");
    return binaryTypes.some((t) => t === wanted || t === "*/*" || (t.endsWith("/*") && t.slice(0, -2) === major));
}

/** Types a caller reads as text; the Lambda returns every other answer base64-encoded. */
export function isTextType(contentType: string): boolean {
    const type = mediaType(contentType);
    return type.startsWith("text/") || type === JSON_TYPE || type.endsWith("+json") || type === "application/xml" || type.endsWith("+xml");
}
