/**
 * Content types of the data path: what the serving container reads and writes, which of them travel
 * base64-encoded through API Gateway, and how a media type is read from a header.
 */

/** What the data path knows of one content type. */
export interface ContentTypeSpec {
    /** The media type as it travels in Content-Type and Accept. */
    readonly mediaType: string;
    /** The serving container decodes request bodies of this type. */
    readonly request: boolean;
    /** The serving container's default encoder answers in this type. */
    readonly response: boolean;
    /**
     * API Gateway carries it base64-encoded (`binaryMediaTypes`): it hands such a request body to the
     * Lambda base64-encoded (`isBase64Encoded`), and turns a base64 answer back into bytes only when the
     * first type in `Accept` is one of them ("Binary media types for REST APIs in API Gateway"; "Content
     * type conversions in API Gateway"). Every other body is a UTF-8 text payload.
     */
    readonly binary: boolean;
}

/**
 * The content types of the data path, keyed by name: the one table that the Lambda, the REST API, the
 * API documents and the serving container (through contract.json, by name) read. Adding a type is one
 * row here plus its decoder/encoder in container/modelapi_serving; until that exists the server answers
 * 415/406 for it.
 */
export const CONTENT_TYPES = {
    json: { mediaType: "application/json", request: true, response: true, binary: false },
    csv: { mediaType: "text/csv", request: true, response: true, binary: false },
    npy: { mediaType: "application/x-npy", request: true, response: true, binary: true },
} as const satisfies Record<string, ContentTypeSpec>;

export type ContentTypeName = keyof typeof CONTENT_TYPES;

const CONTENT_TYPE_NAMES = Object.keys(CONTENT_TYPES) as ContentTypeName[];
const mediaTypesWhere = (flag: keyof Omit<ContentTypeSpec, "mediaType">) =>
    CONTENT_TYPE_NAMES.filter((name) => CONTENT_TYPES[name][flag]).map((name) => CONTENT_TYPES[name].mediaType);

export const JSON_TYPE = CONTENT_TYPES.json.mediaType;
export const CSV_TYPE = CONTENT_TYPES.csv.mediaType;
export const NPY_TYPE = CONTENT_TYPES.npy.mediaType;

/** Request bodies the serving container can decode (container/modelapi_serving/codecs/). */
export const REQUEST_CONTENT_TYPES: readonly string[] = mediaTypesWhere("request");
/** Answers the container's default encoder can produce. */
export const RESPONSE_CONTENT_TYPES: readonly string[] = mediaTypesWhere("response");
/** The name of the type assumed for a request without Content-Type, and answered for `Accept: *\/*` or none. */
export const DEFAULT_CONTENT_TYPE_NAME: ContentTypeName = "json";
/** Assumed for a request without Content-Type, and answered for `Accept: *\/*` or none. */
export const DEFAULT_CONTENT_TYPE = CONTENT_TYPES[DEFAULT_CONTENT_TYPE_NAME].mediaType;

/** The REST API's `binaryMediaTypes`: the rows of CONTENT_TYPES marked `binary`. */
export const BINARY_MEDIA_TYPES: readonly string[] = mediaTypesWhere("binary");

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
