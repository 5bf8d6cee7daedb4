/**
 * @internal The OpenAPI 3 document of a ModelApi, generated from its API surface (api-surface.ts), so the
 * routes, media types, limits and errors it describes are the ones the REST API and the Lambda implement.
 */
import { CONTENT_TYPES, type ContentTypeName, HEADERS, JSON_TYPE } from "../../contract";
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
    endpointKind: "realtime" | "serverless";
    /** Rows of features for the examples; defaults to one row of the example model (iris). */
    exampleRows?: number[][];
}

/** @internal Extension on a request example: the status the API answers it with. */
export const EXPECTED_STATUS = "x-expected-status";

/** @internal Name of the security scheme for the API key header. */
export const API_KEY_SCHEME = "apiKey";
/** @internal Name of the security scheme for AWS Signature Version 4. */
export const SIGV4_SCHEME = "sigv4";

const DEFAULT_EXAMPLE_ROWS = [[5.1, 3.5, 1.4, 0.2]];

/** Statuses the handler answers with its JSON error shape, and what each means to a caller. */
const HANDLER_ERRORS: Record<string, string> = {
    "400": "The body is empty, malformed or not what the model accepts (the model's own 4xx passes through with its status).",
    "404": "No such route, or a model that is not served here.",
    "405": "A known path with the wrong method; the Allow header names the right one.",
    "413": "The body is larger than the endpoint accepts.",
    "415": "A Content-Type the model server cannot read.",
    "500": "The model failed (code ModelFailure) or the API did (code InternalError); quote the requestId.",
    "502": "The model's answer is larger than the API can return (code ResponseTooLarge).",
    "503": "The endpoint is not ready or is throttled; retry after the Retry-After header's seconds.",
    "504": "The model did not answer in time.",
};

/** @internal The OpenAPI 3.0 document, as a plain JSON-serialisable object. */
export function openApiDocument(opts: OpenApiOptions, surface: ApiSurface = apiSurface(opts.multiModel)): Record<string, unknown> {
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
            schemas: schemas(),
            responses: errorResponses(opts.auth),
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
        models
    );
}

function operation(route: SurfaceRoute, opts: OpenApiOptions, surface: ApiSurface, rows: number[][]): Record<string, unknown> {
    const parameters = route.path.includes("{name}")
        ? [
              {
                  name: "name",
                  in: "path",
                  required: true,
                  description: "The model to ask.",
                  schema: { type: "string", enum: opts.modelNames },
                  example: opts.modelNames[0],
              },
          ]
        : undefined;
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
                ...errorRefs(opts.auth, ["404", "405", "500"]),
            },
        };
    }
    // The answer's format follows the Accept header; OpenAPI describes it through the 200's media types
    // (an `Accept` header parameter would be ignored by OpenAPI tools).
    return {
        operationId: route.path.includes("{name}") ? "predictModel" : "predict",
        summary: route.path.includes("{name}") ? "Ask one of the models for predictions" : "Ask the model for predictions",
        ...(parameters ? { parameters } : {}),
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
                content: bodyContent("response", surface.responseContentTypes, rows),
            },
            ...errorRefs(opts.auth, Object.keys(HANDLER_ERRORS)),
        },
    };
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
        request: (rows) => ({
            schema: { type: "string", description: "One row of features per line, no header." },
            examples: {
                rows: { summary: "Rows of features", value: rows.map((r) => r.join(",")).join("\n") + "\n", [EXPECTED_STATUS]: 200 },
            },
        }),
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

function errorRefs(auth: AuthScheme, statuses: string[]): Record<string, unknown> {
    const gateway = auth === "none" ? ["429"] : ["403", "429"];
    return Object.fromEntries([...statuses, ...gateway].sort().map((s) => [s, { $ref: `#/components/responses/Error${s}` }]));
}

function errorResponses(auth: AuthScheme): Record<string, unknown> {
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(HANDLER_ERRORS)) {
        responses[`Error${status}`] = { description, content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Error" } } } };
    }
    const gatewayError = { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/GatewayError" } } };
    if (auth !== "none") {
        responses.Error403 = {
            description:
                auth === "apiKey"
                    ? "Missing or wrong API key (answered by API Gateway)."
                    : "Missing or invalid signature (answered by API Gateway).",
            content: gatewayError,
        };
    }
    responses.Error429 = { description: "Over the throttle or the usage plan's quota (answered by API Gateway).", content: gatewayError };
    return responses;
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
                        code: { type: "string", example: "BadRequest" },
                        message: { type: "string" },
                        requestId: { type: "string" },
                    },
                },
            },
        },
        GatewayError: { type: "object", required: ["message"], properties: { message: { type: "string" } } },
    };
}
