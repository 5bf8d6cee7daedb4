/**
 * @internal The OpenAPI 3 document of a ModelApi, generated from its API surface (api-surface.ts), so the
 * routes, media types, limits and errors it describes are the ones the REST API and the Lambda implement.
 */
import {
    ASYNC_MAX_INPUT_BYTES,
    type ApiErrorCode,
    CONTENT_TYPES,
    type ContentTypeName,
    CUSTOM_ATTRIBUTES_MAX_LENGTH,
    type EndpointKind,
    HEADERS,
    JSON_TYPE,
    mediaType,
    VARIANT_HEADER,
} from "../../contract";
import { type ErrorAnswer, errorAnswers, ERROR_DOCS } from "./answers";
import type { AuthScheme } from "./auth";
import { apiSurface, ApiSurface, SurfaceRoute } from "./surface";

/** @internal What the document is generated from besides the API surface. */
export interface OpenApiOptions {
    /** Title of the API, e.g. the component's name. */
    title: string;
    /** The stage URL requests go to; a relative URL is relative to where the document is served. */
    serverUrl: string;
    auth: AuthScheme;
    multiModel: boolean;
    /** The served models (multi-model: the allowed values of `{name}`). */
    modelNames: string[];
    /** "async": an asynchronous API (202 and a prediction id, uploads; contract/routes.ts). */
    endpointKind: EndpointKind;
    /** Rows of features for the examples; defaults to one row of the example model (iris). */
    exampleRows?: number[][];
    /** The production variants a caller may pin; absent or empty: one version, which cannot be pinned. */
    variantNames?: string[];
}

/** @internal Extension on a request example (or a media type with one example): the status the API answers it with. */
export const EXPECTED_STATUS = "x-expected-status";

/**
 * @internal Extension on a response: API Gateway's answers with its status that have no media type OpenAPI
 * can name or no schema of the API's, each exactly as sent (status, headers, body).
 */
export const UNSHAPED_ANSWERS = "x-unshaped-answers";

/** @internal The request id the examples show. */
export const EXAMPLE_REQUEST_ID = "6a1f4d2e-9b3c-4e8a-8f0d-2c5b7e1a9d40";

/** @internal Name of the security scheme for the API key header. */
export const API_KEY_SCHEME = "apiKey";
/** @internal Name of the security scheme for AWS Signature Version 4. */
export const SIGV4_SCHEME = "sigv4";

const DEFAULT_EXAMPLE_ROWS = [[5.1, 3.5, 1.4, 0.2]];

/** @internal The OpenAPI 3.0 document, as a plain JSON-serialisable object. */
export function openApiDocument(
    opts: OpenApiOptions,
    surface: ApiSurface = apiSurface(opts.multiModel, opts.endpointKind === "async"),
): Record<string, unknown> {
    const rows = opts.exampleRows ?? DEFAULT_EXAMPLE_ROWS;
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of surface.routes) {
        paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, opts, surface, rows) };
    }
    const security = securityScheme(opts.auth);
    return {
        openapi: "3.0.3",
        info: {
            title: `${opts.title} model API`,
            version: "1.0.0",
            description: describeApi(opts, surface),
        },
        servers: [{ url: opts.serverUrl }],
        ...(security ? { security: [{ [security.name]: [] }] } : {}),
        paths,
        components: {
            schemas: { ...schemas(), ...(opts.endpointKind === "async" ? ASYNC_SCHEMAS : {}) },
            ...(security ? { securitySchemes: { [security.name]: security.scheme } } : {}),
        },
    };
}

function describeApi(opts: OpenApiOptions, surface: ApiSurface): string {
    const limits = surface.bodyLimits[opts.endpointKind];
    const auth = {
        apiKey: `Send the API key in the \`${HEADERS.apiKey}\` header.`,
        iam: "Sign requests with AWS Signature Version 4 (service `execute-api`); the caller needs `execute-api:Invoke`.",
        none: "No authentication.",
    }[opts.auth];
    const models = opts.multiModel ? ` Models: ${opts.modelNames.join(", ")}.` : "";
    return (
        `Predictions from ${opts.multiModel ? "the models of a multi-model endpoint" : `the model ${opts.modelNames[0]}`}. ${auth} ` +
        `Request bodies are ${surface.contentTypes.join(", ")} (at most ${limits.text} bytes of text, ${limits.binary} bytes of binary body); ` +
        `the Accept header picks the answer's format.` +
        models +
        '\n\nEvery error is JSON `{"error": {"code", "message", "requestId"}}`, API Gateway\'s own included; each operation lists ' +
        "its statuses and the codes each comes with. Two answers of API Gateway to a request too large cannot be given that " +
        "shape (AWS does not let them be customised); the 413 of each prediction shows them as sent. A path no route has is " +
        "404 `NotFound`, and a known path with another method 405 `MethodNotAllowed` with an `Allow` header." +
        `\n\nThe \`${HEADERS.customAttributes}\` header passes to the model's code and back, as SageMaker's InvokeEndpoint ` +
        "CustomAttributes do: the request's reaches the model's context, and what the model's code sets with " +
        "`context.set_response_header` comes back in the answer." +
        `\n\nEvery prediction's answer names the model version (SageMaker production variant) that produced it in the ` +
        `\`${VARIANT_HEADER}\` header, a model's error answers included.` +
        (opts.variantNames?.length
            ? ` Versions are chosen by traffic weight; send \`${VARIANT_HEADER}\` with one of ${opts.variantNames.join(", ")} to ask one of them.`
            : "")
    );
}

function operation(route: SurfaceRoute, opts: OpenApiOptions, surface: ApiSurface, rows: number[][]): Record<string, unknown> {
    const parameters: Record<string, unknown>[] = [];
    if (route.path.includes("{name}")) {
        parameters.push({
            name: "name",
            in: "path",
            required: true,
            description: "The model to ask.",
            schema: { type: "string", enum: opts.modelNames },
            example: opts.modelNames[0],
        });
    }
    const errors = errorResponses(errorAnswers(route, opts.auth, opts.endpointKind === "async"));
    if (opts.endpointKind === "async") {
        const answer = asyncOperation(route, opts, surface, rows, errors);
        if (answer) return answer;
    }
    if (route.kind === "listModels") {
        return {
            operationId: "listModels",
            summary: "List the served models",
            responses: {
                "200": {
                    description: "The names accepted by POST /models/{name}/predict.",
                    content: {
                        [JSON_TYPE]: { schema: { $ref: "#/components/schemas/ModelList" }, example: { models: opts.modelNames } },
                    },
                },
                ...errors,
            },
        };
    }
    parameters.push({
        name: HEADERS.customAttributes,
        in: "header",
        required: false,
        description: "Passed to the model's code as SageMaker's InvokeEndpoint CustomAttributes are (its context's request headers).",
        schema: CUSTOM_ATTRIBUTES_SCHEMA,
    });
    if (opts.variantNames?.length) {
        parameters.push({
            name: VARIANT_HEADER,
            in: "header",
            required: false,
            description:
                "The model version (production variant) to ask, instead of one chosen by traffic weight; another name is a 400 `BadRequest`.",
            schema: { type: "string", enum: opts.variantNames },
        });
    }
    // The answer's format follows the Accept header; OpenAPI describes it through the 200's media types
    // (an `Accept` header parameter would be ignored by OpenAPI tools).
    return {
        operationId: route.path.includes("{name}") ? "predictModel" : "predict",
        summary: route.path.includes("{name}") ? "Ask one of the models for predictions" : "Ask the model for predictions",
        parameters,
        requestBody: {
            required: true,
            description:
                `The model's input, at most ${surface.bodyLimits[opts.endpointKind].text} bytes of JSON or CSV, ` +
                `${surface.bodyLimits[opts.endpointKind].binary} bytes of NPY.`,
            content: bodyContent("request", surface.contentTypes, rows),
        },
        responses: {
            "200": {
                description: "The model's answer, in the format the Accept header asked for.",
                headers: {
                    [HEADERS.customAttributes]: {
                        description:
                            "What the model's code set with context.set_response_header, as SageMaker returns it in InvokeEndpoint's CustomAttributes; absent when it set none.",
                        schema: CUSTOM_ATTRIBUTES_SCHEMA,
                    },
                    [VARIANT_HEADER]: {
                        description: "The model version (SageMaker production variant) that produced the answer.",
                        schema: opts.variantNames?.length ? { type: "string", enum: opts.variantNames } : { type: "string" },
                    },
                },
                content: bodyContent("response", surface.responseContentTypes, rows),
            },
            ...errors,
        },
    };
}

const ID_PARAMETER = (what: string) => ({
    name: "id",
    in: "path",
    required: true,
    description: `The ${what}'s id, as the API gave it: 32 hexadecimal digits (128 random bits).`,
    schema: { type: "string", pattern: "^[0-9a-f]{32}$" },
    example: "3f9c2a7d1b0e4c6f8a5d9e2b7c1f0a43",
});

const ACCEPTED = {
    description: "Queued on the asynchronous endpoint; poll the location until it answers other than 202.",
    headers: {
        Location: { description: "Where the prediction is: GET it.", schema: { type: "string" } },
        "Retry-After": { description: "Seconds to wait before polling.", schema: { type: "integer" } },
    },
    content: {
        [JSON_TYPE]: {
            schema: { $ref: "#/components/schemas/PredictionAccepted" },
            example: {
                id: "3f9c2a7d1b0e4c6f8a5d9e2b7c1f0a43",
                status: "pending",
                location: "https://api123.execute-api.us-east-1.amazonaws.com/v1/predictions/3f9c2a7d1b0e4c6f8a5d9e2b7c1f0a43",
            },
        },
    },
};

/** The operations of an asynchronous API (undefined: documented as on a synchronous API, but for its answers). */
function asyncOperation(
    route: SurfaceRoute,
    opts: OpenApiOptions,
    surface: ApiSurface,
    rows: number[][],
    errors: Record<string, unknown>,
): Record<string, unknown> | undefined {
    switch (route.kind) {
        case "predict":
            return {
                operationId: "predict",
                summary: "Queue the rows for the model; the answer is fetched from GET /predictions/{id}",
                parameters: [{ name: HEADERS.customAttributes, in: "header", required: false, schema: CUSTOM_ATTRIBUTES_SCHEMA }],
                requestBody: {
                    required: true,
                    description:
                        `The model's input, at most ${surface.bodyLimits.async.text} bytes of JSON or CSV, ` +
                        `${surface.bodyLimits.async.binary} bytes of NPY; larger inputs go through POST /uploads.`,
                    content: bodyContent("request", surface.contentTypes, rows),
                },
                responses: { "202": ACCEPTED, ...errors },
            };
        case "getPrediction":
            return {
                operationId: "getPrediction",
                summary: "The state of a prediction, or the model's answer once it is done",
                parameters: [ID_PARAMETER("prediction")],
                responses: {
                    "200": {
                        description: "The model's answer, in the format the Accept header of the POST asked for.",
                        content: bodyContent("response", surface.responseContentTypes, rows),
                    },
                    "202": {
                        description: "Still queued or running.",
                        headers: { "Retry-After": { description: "Seconds to wait before polling again.", schema: { type: "integer" } } },
                        content: {
                            [JSON_TYPE]: {
                                schema: { $ref: "#/components/schemas/PredictionPending" },
                                example: { id: "3f9c2a7d1b0e4c6f8a5d9e2b7c1f0a43", status: "pending" },
                            },
                        },
                    },
                    "303": {
                        description: "The answer is larger than the API can return (6 MB): GET it from this short-lived S3 URL.",
                        headers: { Location: { description: "A presigned S3 URL, valid 15 minutes.", schema: { type: "string" } } },
                    },
                    ...errors,
                },
            };
        case "createUpload":
            return {
                operationId: "createUpload",
                summary: "A short-lived URL to PUT an input of up to 1 GB to",
                requestBody: {
                    required: true,
                    content: {
                        [JSON_TYPE]: {
                            schema: { $ref: "#/components/schemas/UploadRequest" },
                            example: { contentType: "text/csv", contentLength: 52428800 },
                        },
                    },
                },
                responses: {
                    "201": {
                        description: "PUT exactly contentLength bytes to uploadUrl before expiresAt, then POST the predict path.",
                        content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Upload" } } },
                    },
                    ...errors,
                },
            };
        case "predictUpload":
            return {
                operationId: "predictUpload",
                summary: "Queue an uploaded input for the model",
                parameters: [
                    ID_PARAMETER("upload"),
                    {
                        name: "Content-Type",
                        in: "header",
                        required: false,
                        description: "The uploaded data's type; else the type it was uploaded with.",
                        schema: { type: "string", enum: [...surface.contentTypes] },
                    },
                ],
                responses: { "202": ACCEPTED, ...errors },
            };
        default:
            void opts;
            return undefined;
    }
}

/** The bodies of an asynchronous API's own answers. */
const ASYNC_SCHEMAS = {
    PredictionAccepted: {
        type: "object",
        required: ["id", "status", "location"],
        properties: { id: { type: "string" }, status: { type: "string", enum: ["pending"] }, location: { type: "string" } },
    },
    PredictionPending: {
        type: "object",
        required: ["id", "status"],
        properties: { id: { type: "string" }, status: { type: "string", enum: ["pending"] } },
    },
    UploadRequest: {
        type: "object",
        required: ["contentType", "contentLength"],
        properties: { contentType: { type: "string" }, contentLength: { type: "integer", minimum: 1, maximum: ASYNC_MAX_INPUT_BYTES } },
    },
    Upload: {
        type: "object",
        required: ["id", "uploadUrl", "method", "expiresAt"],
        properties: {
            id: { type: "string" },
            uploadUrl: { type: "string" },
            method: { type: "string", enum: ["PUT"] },
            headers: { type: "object", additionalProperties: { type: "string" } },
            expiresAt: { type: "string", format: "date-time" },
            predict: { type: "string", description: "The path to POST once the bytes are uploaded." },
        },
    },
};

/** InvokeEndpoint's rule for CustomAttributes (contract/sagemaker.ts). */
const CUSTOM_ATTRIBUTES_SCHEMA = { type: "string", maxLength: CUSTOM_ATTRIBUTES_MAX_LENGTH, pattern: "^[\\x20-\\x7E\\t]*$" };

/** Statuses whose answer tells the caller when to retry. */
const RETRY_AFTER = new Set(["503"]);

/** The error responses of an operation: per status, the codes it comes with, each with an example. */
function errorResponses(answers: ErrorAnswer[]): Record<string, unknown> {
    return Object.fromEntries(
        answers.map((answer) => {
            const shaped = errorSchema(answer.codes);
            const examples: Record<string, unknown> = Object.fromEntries(
                answer.codes.map((code) => [code, { summary: ERROR_DOCS[code].when, value: errorExample(code, answer.status) }]),
            );
            const unshapedJson = (answer.unshaped ?? []).filter((a) => mediaType(a.headers["Content-Type"]) === JSON_TYPE);
            unshapedJson.forEach((a, i) => {
                examples[`apiGateway${i === 0 ? "" : i + 1}`] = {
                    summary: "API Gateway's own, when the request's Lambda event would exceed Lambda's 6 MB (not customisable)",
                    value: JSON.parse(a.body),
                };
            });
            const schema = unshapedJson.length > 0 ? { oneOf: [shaped, { $ref: "#/components/schemas/GatewayMessage" }] } : shaped;
            const response: Record<string, unknown> = {
                description: describeCodes(answer),
                ...(RETRY_AFTER.has(answer.status)
                    ? { headers: { "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } } } }
                    : {}),
                content: { [JSON_TYPE]: { schema, examples } },
            };
            if (answer.unshaped) response[UNSHAPED_ANSWERS] = answer.unshaped;
            return [answer.status, response];
        }),
    );
}

function describeCodes(answer: ErrorAnswer): string {
    const lines = answer.codes.map((code) => `- \`${code}\`: ${ERROR_DOCS[code].when}.`);
    if (answer.status === "4XX") lines.unshift("Any other 4xx the model answers, with its status:");
    for (const unshaped of answer.unshaped ?? []) {
        lines.push(
            `- API Gateway's own ${unshaped.status}, which AWS does not let a gateway response change: ` +
                `Content-Type \`${unshaped.headers["Content-Type"]}\`, body \`${unshaped.body}\` ` +
                (mediaType(unshaped.headers["Content-Type"]) === JSON_TYPE
                    ? "(a body that fits 10 MB whose Lambda event exceeds Lambda's 6 MB)."
                    : "(a body over API Gateway's 10 MB; no media type OpenAPI can name)."),
        );
    }
    return lines.join("\n");
}

/** The Error schema with `code` narrowed to the codes of one status. */
function errorSchema(codes: ApiErrorCode[]): Record<string, unknown> {
    return {
        allOf: [
            { $ref: "#/components/schemas/Error" },
            { type: "object", properties: { error: { type: "object", properties: { code: { type: "string", enum: codes } } } } },
        ],
    };
}

/** @internal The error body the documents show for `code` answered with `status`. */
export function errorExample(code: ApiErrorCode, status: string): Record<string, unknown> {
    // The model's example message is a 400's; with any other status the model's words are its own.
    const message = code === "ModelError" && status !== "400" ? "(the model's own message)" : ERROR_DOCS[code].example;
    return { error: { code, message, requestId: EXAMPLE_REQUEST_ID } };
}

/** How the document shows bodies of a content type (a row of CONTENT_TYPES, contract/media.ts): schema and examples. */
interface BodyDoc {
    request: (rows: number[][]) => Record<string, unknown>;
    response: (rows: number[][]) => Record<string, unknown>;
}

/** A body of a type without a row below: bytes the model's own code reads or writes. */
const BINARY_BODY = { schema: { type: "string", format: "binary" } };

/** The content types the document describes in detail, by their name in CONTENT_TYPES. */
const BODY_DOCS: Partial<Record<ContentTypeName, BodyDoc>> = {
    json: {
        request: (rows) => ({
            schema: { $ref: "#/components/schemas/PredictionRequest" },
            examples: {
                instances: { summary: "Rows of features", value: { instances: rows }, [EXPECTED_STATUS]: 200 },
                inputs: { summary: "The same rows as inputs", value: { inputs: rows }, [EXPECTED_STATUS]: 200 },
                wrongFeatureCount: {
                    summary: "A row with too few features",
                    description: "The model's own 400, passed through with its message.",
                    value: { instances: [rows[0].slice(0, 1)] },
                    [EXPECTED_STATUS]: 400,
                },
            },
        }),
        response: (rows) => ({ schema: { $ref: "#/components/schemas/Predictions" }, example: { predictions: rows.map(() => 0) } }),
    },
    csv: {
        // One example, given as `example` on the media type and its schema, never as named `examples`: Swagger UI
        // keeps the name of the example picked under another media type, finds no such name here and sends the
        // schema's placeholder "string" instead (swagger-ui request-body.jsx; parameters.jsx keeps one active
        // example per operation, not per media type).
        request: (rows) => {
            const example = rows.map((r) => r.join(",")).join("\n") + "\n";
            return {
                schema: { type: "string", description: "One row of features per line, no header.", example },
                example,
                [EXPECTED_STATUS]: 200,
            };
        },
        response: (rows) => ({ schema: { type: "string" }, example: rows.map(() => "0").join("\n") + "\n" }),
    },
    npy: {
        request: () => ({ schema: { ...BINARY_BODY.schema, description: "A NumPy array saved with np.save (no pickled objects)." } }),
        response: () => BINARY_BODY,
    },
};

/** The `content` of a request body or an answer: one entry per media type the API takes or gives, in table order. */
function bodyContent(direction: keyof BodyDoc, mediaTypes: readonly string[], rows: number[][]): Record<string, unknown> {
    const names = Object.keys(CONTENT_TYPES) as ContentTypeName[];
    return Object.fromEntries(
        mediaTypes.map((type) => {
            const name = names.find((n) => CONTENT_TYPES[n].mediaType === type);
            // A type added to the table shows here without a schema of its own until it gets a row above.
            const doc = name === undefined ? undefined : BODY_DOCS[name];
            return [type, doc ? doc[direction](rows) : BINARY_BODY];
        }),
    );
}

function securityScheme(auth: AuthScheme): { name: string; scheme: Record<string, unknown> } | undefined {
    if (auth === "apiKey") {
        return {
            name: API_KEY_SCHEME,
            scheme: { type: "apiKey", in: "header", name: HEADERS.apiKey, description: "The stack's apiKey output." },
        };
    }
    if (auth === "iam") {
        return {
            name: SIGV4_SCHEME,
            scheme: {
                type: "apiKey",
                in: "header",
                name: "Authorization",
                description: "AWS Signature Version 4 for service execute-api, computed by an AWS SDK or client.",
                "x-amazon-apigateway-authtype": "awsSigv4",
            },
        };
    }
    return undefined;
}

function schemas(): Record<string, unknown> {
    const row = { type: "array", items: {} };
    return {
        PredictionRequest: {
            description: 'Rows of features: {"instances": [...]}, {"inputs": ...} or a bare list; what a row holds is up to the model.',
            oneOf: [
                { type: "object", required: ["instances"], properties: { instances: { type: "array", items: {} } } },
                { type: "object", required: ["inputs"], properties: { inputs: {} } },
                { type: "array", items: row.items },
            ],
        },
        Predictions: {
            description:
                'The model\'s answer from the default handler: {"predictions": [...]} for instances, {"outputs": [...]} for inputs, ' +
                "a bare list for CSV or NPY rows; a model's own output_fn decides for itself.",
            oneOf: [
                { type: "object", required: ["predictions"], properties: { predictions: { type: "array", items: {} } } },
                { type: "object", required: ["outputs"], properties: { outputs: {} } },
                { type: "array", items: {} },
            ],
        },
        ModelList: {
            type: "object",
            required: ["models"],
            properties: { models: { type: "array", items: { type: "string" } } },
        },
        Error: {
            type: "object",
            required: ["error"],
            properties: {
                error: {
                    type: "object",
                    required: ["code", "message", "requestId"],
                    properties: {
                        code: { type: "string", description: "What went wrong; each operation lists the codes of each status." },
                        message: { type: "string" },
                        requestId: { type: "string" },
                    },
                },
            },
        },
        GatewayMessage: {
            description: "An answer API Gateway makes itself and AWS does not let be customised.",
            type: "object",
            required: ["message"],
            properties: { message: { type: "string" } },
        },
    };
}
