/**
 * @internal A Postman collection (format v2.1) of a ModelApi, generated from the same API surface and error
 * listing as the OpenAPI document: per route a folder with a request per content type the route takes and
 * answers, and a request per error a caller can cause on purpose, each with a test of its answer (status,
 * and the error's shape and code). The URL and the API key are collection variables; the key's value is
 * never written into the collection, callers set it in Postman (or `newman --env-var apiKey=...`). With `iam`
 * auth requests are signed with AWS Signature Version 4 from variables holding the caller's credentials.
 */
import {
    type ApiErrorCode,
    ASYNC_MAX_INPUT_BYTES,
    CSV_TYPE,
    type EndpointKind,
    HEADERS,
    JSON_TYPE,
    NPY_TYPE,
    VARIANT_HEADER,
} from "../../contract";
import type { AuthScheme } from "./auth";
import { npyOf } from "./npy";
import { apiSurface, ApiSurface, SurfaceRoute } from "./surface";

/** @internal The JSON schema a v2.1 collection declares in `info.schema`. */
export const POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/** @internal What the collection is generated from besides the API surface. */
export interface PostmanOptions {
    title: string;
    /** The stage URL, the `baseUrl` variable's value. */
    url: string;
    auth: AuthScheme;
    multiModel: boolean;
    modelNames: string[];
    /** Sets the body limit the oversized-body request goes over; default realtime. */
    endpointKind?: EndpointKind;
    /** Rows of features for the example bodies; defaults to one row of the example model (iris). */
    exampleRows?: number[][];
    /** The production variants a caller may pin; absent or empty: one version, which cannot be pinned. */
    variantNames?: string[];
}

type Variable = { key: string; value: string; type: "string"; description?: string };

/** A model name no deployment serves: model names are letters, digits and hyphens (core/input-validation.ts). */
const UNSERVED_MODEL = "not_a_served_model";
/** A variant name no deployment has: variant names are letters, digits and hyphens (contract/variants.ts). */
const UNSERVED_VARIANT = "not_a_served_version";

/** @internal The collection, as a plain JSON-serialisable object. */
export function postmanCollection(
    opts: PostmanOptions,
    surface: ApiSurface = apiSurface(opts.multiModel, opts.endpointKind === "async"),
): Record<string, unknown> {
    const rows = opts.exampleRows ?? [[5.1, 3.5, 1.4, 0.2]];
    const variables: Variable[] = [
        { key: "baseUrl", value: opts.url.replace(/\/+$/, ""), type: "string", description: "The API's URL (the stack's url output)." },
    ];
    if (opts.auth === "apiKey") {
        variables.push({
            key: "apiKey",
            value: "",
            type: "string",
            description: "Set to the stack's apiKey output; never saved in this file.",
        });
    }
    if (opts.multiModel) {
        variables.push({
            key: "modelName",
            value: opts.modelNames[0],
            type: "string",
            description: `One of: ${opts.modelNames.join(", ")}.`,
        });
    }
    return {
        info: {
            name: `${opts.title} model API`,
            description:
                `Requests for the ModelApi ${opts.title}. Set the variables first (Collection → Variables). Each route has a request ` +
                "per content type and one per error a caller can cause; errors that depend on the endpoint's state (429, 5xx) " +
                "are described in the OpenAPI document, not requested here. The NPY request's body is in the collection " +
                "(base64 in file.content, which newman sends as bytes); in the Postman app choose a .npy file instead.",
            schema: POSTMAN_SCHEMA,
        },
        auth: auth(opts),
        variable: variables,
        item: surface.routes.map((route) => ({
            name: `${route.method} ${route.path}`,
            item:
                opts.endpointKind === "async"
                    ? asyncItems(route, surface, opts, rows)
                    : route.kind === "listModels"
                      ? listModelsItems(route, opts)
                      : predictItems(route, surface, opts, rows),
        })),
    };
}

function auth(opts: PostmanOptions): Record<string, unknown> {
    const pairs = (entries: [string, string][]) => entries.map(([key, value]) => ({ key, value, type: "string" }));
    if (opts.auth === "apiKey") {
        return {
            type: "apikey",
            apikey: pairs([
                ["key", HEADERS.apiKey],
                ["value", "{{apiKey}}"],
                ["in", "header"],
            ]),
        };
    }
    if (opts.auth === "iam") {
        // Credentials come from the caller's environment variables in Postman, never from this file.
        return {
            type: "awsv4",
            awsv4: pairs([
                ["accessKey", "{{awsAccessKeyId}}"],
                ["secretKey", "{{awsSecretAccessKey}}"],
                ["sessionToken", "{{awsSessionToken}}"],
                ["region", regionOf(opts.url) ?? "{{awsRegion}}"],
                ["service", "execute-api"],
            ]),
        };
    }
    return { type: "noauth" };
}

/** The region of an API Gateway invoke URL (`https://id.execute-api.REGION.amazonaws.com/stage`). */
export function regionOf(url: string): string | undefined {
    return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];
}

function urlOf(route: SurfaceRoute, modelName = "{{modelName}}", id = ""): Record<string, unknown> {
    const segments = route.path
        .split("/")
        .slice(1)
        .map((s) => (s === "{name}" ? modelName : s === "{id}" ? id : s));
    return { raw: `{{baseUrl}}/${segments.join("/")}`, host: ["{{baseUrl}}"], path: segments };
}

/** A raw JSON body, shown as JSON in Postman. */
function json(value: unknown): Record<string, unknown> {
    return { mode: "raw", raw: JSON.stringify(value, null, 2), options: { raw: { language: "json" } } };
}

/** One request of a folder: what is sent, and the test its answer must pass. */
interface RequestSpec {
    name: string;
    headers: [string, string][];
    body?: Record<string, unknown>;
    url?: Record<string, unknown>;
    test: string[];
    /** Script run before sending (it may replace the body). */
    prerequest?: string[];
    /** Sent without the collection's auth. */
    unauthenticated?: boolean;
}

function listModelsItems(route: SurfaceRoute, opts: PostmanOptions): Record<string, unknown>[] {
    const specs: RequestSpec[] = [
        {
            name: "the served models",
            headers: [["Accept", JSON_TYPE]],
            test: ["pm.response.to.have.status(200);", "pm.expect(pm.response.json().models).to.be.an('array');"],
        },
        ...authErrors(opts),
    ];
    return specs.map((spec) => item(route.method, urlOf(route), spec));
}

function predictItems(route: SurfaceRoute, surface: ApiSurface, opts: PostmanOptions, rows: number[][]): Record<string, unknown>[] {
    const n = rows.length;
    const csv = rows.map((r) => r.join(",")).join("\n") + "\n";
    const predictions = [
        "const body = pm.response.json();",
        "const predictions = Array.isArray(body) ? body : body.predictions;",
        `pm.expect(predictions).to.be.an('array').with.lengthOf(${n});`,
    ];
    const bodyErrors = bodyErrorSpecs(surface.bodyLimits[opts.endpointKind ?? "realtime"].text);
    const specs: RequestSpec[] = [
        {
            name: "JSON rows",
            headers: [
                ["Content-Type", JSON_TYPE],
                ["Accept", JSON_TYPE],
            ],
            body: json({ instances: rows }),
            test: [
                "pm.response.to.have.status(200);",
                ...predictions,
                `pm.expect(pm.response.headers.get('${VARIANT_HEADER}')).to.be.a('string');`,
            ],
        },
        ...pinnedItems(opts, json({ instances: rows })),
        {
            name: "CSV rows, CSV answer",
            headers: [
                ["Content-Type", CSV_TYPE],
                ["Accept", CSV_TYPE],
            ],
            body: { mode: "raw", raw: csv },
            test: [
                "pm.response.to.have.status(200);",
                `pm.expect(pm.response.headers.get('Content-Type')).to.include('${CSV_TYPE}');`,
                `pm.expect(pm.response.text().trim().split('\\n')).to.have.lengthOf(${n});`,
            ],
        },
        {
            name: "NPY rows",
            headers: [
                ["Content-Type", NPY_TYPE],
                ["Accept", JSON_TYPE],
            ],
            body: { mode: "file", file: { content: npyOf(rows).toString("base64") } },
            test: ["pm.response.to.have.status(200);", ...predictions],
        },
        {
            name: "JSON rows, NPY answer",
            headers: [
                ["Content-Type", JSON_TYPE],
                ["Accept", NPY_TYPE],
            ],
            body: json({ instances: rows }),
            test: [
                "pm.response.to.have.status(200);",
                `pm.expect(pm.response.headers.get('Content-Type')).to.include('${NPY_TYPE}');`,
                // The .npy magic: \x93NUMPY.
                "pm.expect(pm.response.text().slice(1, 6)).to.eql('NUMPY');",
            ],
        },
        bodyErrors.notJson,
        {
            name: "400 ModelError: a row with too few features",
            headers: [["Content-Type", JSON_TYPE]],
            body: json({ instances: [rows[0].slice(0, 1)] }),
            test: errorTest(400, "ModelError"),
        },
        ...authErrors(opts),
        ...(route.path.includes("{name}")
            ? [
                  {
                      name: "404 ModelNotFound: a model that is not served here",
                      headers: [["Content-Type", JSON_TYPE]] as [string, string][],
                      body: json({ instances: rows }),
                      url: urlOf(route, UNSERVED_MODEL),
                      test: errorTest(404, "ModelNotFound"),
                  },
              ]
            : []),
        {
            name: "406 NotAcceptable: NPY accepted, but not as the first type",
            headers: [
                ["Content-Type", JSON_TYPE],
                ["Accept", `${JSON_TYPE};q=0, ${NPY_TYPE}`],
            ],
            body: json({ instances: rows }),
            test: errorTest(406, "NotAcceptable"),
        },
        bodyErrors.tooLarge,
        bodyErrors.notSupported,
    ];
    return specs.map((spec) => item(route.method, urlOf(route), spec));
}

/**
 * The bodies a prediction route refuses, synchronous or asynchronous alike: one that is not JSON (400), one byte
 * over `limit` (413, `tooLargeHint` added to its name), and a type the API does not take (415).
 */
function bodyErrorSpecs(limit: number, tooLargeHint = ""): { notJson: RequestSpec; tooLarge: RequestSpec; notSupported: RequestSpec } {
    return {
        notJson: {
            name: "400 BadRequest: a body that is not JSON",
            headers: [["Content-Type", JSON_TYPE]],
            body: { mode: "raw", raw: '{"instances": [[5.1,' },
            test: errorTest(400, "BadRequest"),
        },
        tooLarge: {
            name: `413 PayloadTooLarge: a body one byte over the limit${tooLargeHint}`,
            headers: [["Content-Type", CSV_TYPE]],
            body: { mode: "raw", raw: "" },
            // Made when sent, so the collection stays small.
            prerequest: [`pm.request.body.update('a'.repeat(${limit + 1}));`],
            test: errorTest(413, "PayloadTooLarge"),
        },
        notSupported: {
            name: "415 UnsupportedMediaType: an XML body",
            headers: [["Content-Type", "application/xml"]],
            body: { mode: "raw", raw: "<rows/>" },
            test: errorTest(415, "UnsupportedMediaType"),
        },
    };
}

/** With several model versions: a request pinned to each, answered by that version, and one naming none of them. */
function pinnedItems(opts: PostmanOptions, body: Record<string, unknown>): RequestSpec[] {
    const names = opts.variantNames ?? [];
    if (names.length === 0) return [];
    return [
        ...names.map((name) => ({
            name: `JSON rows, asking version ${name}`,
            headers: [
                ["Content-Type", JSON_TYPE],
                [VARIANT_HEADER, name],
            ] as [string, string][],
            body,
            test: ["pm.response.to.have.status(200);", `pm.expect(pm.response.headers.get('${VARIANT_HEADER}')).to.eql('${name}');`],
        })),
        {
            name: "400 BadRequest: a model version this API does not serve",
            headers: [
                ["Content-Type", JSON_TYPE],
                [VARIANT_HEADER, UNSERVED_VARIANT],
            ],
            body,
            test: errorTest(400, "BadRequest"),
        },
    ];
}

/** An id of the form the API gives that it never gave: 404 without a lookup of anything. */
const UNKNOWN_ID = "0".repeat(32);

/**
 * The requests of an asynchronous API: a prediction is queued (202) and its id kept in the `predictionId`
 * variable for the poll; an upload URL is asked for. The upload itself goes to S3, outside the API.
 */
function asyncItems(route: SurfaceRoute, surface: ApiSurface, opts: PostmanOptions, rows: number[][]): Record<string, unknown>[] {
    const specs: RequestSpec[] = [];
    if (route.kind === "predict") {
        // A body over the limit belongs in an upload, which has a limit of its own.
        const bodyErrors = bodyErrorSpecs(surface.bodyLimits.async.text, " (use POST /uploads)");
        specs.push(
            {
                name: "JSON rows, queued",
                headers: [
                    ["Content-Type", JSON_TYPE],
                    ["Accept", JSON_TYPE],
                ],
                body: json({ instances: rows }),
                test: [
                    "pm.response.to.have.status(202);",
                    "const body = pm.response.json();",
                    "pm.expect(body.status).to.eql('pending');",
                    "pm.expect(pm.response.headers.get('Location')).to.eql(body.location);",
                    "pm.collectionVariables.set('predictionId', body.id);",
                ],
            },
            bodyErrors.notJson,
            bodyErrors.tooLarge,
            bodyErrors.notSupported,
        );
    } else if (route.kind === "getPrediction") {
        specs.push(
            {
                name: "the prediction queued above: pending (202) or the model's answer (200)",
                headers: [["Accept", JSON_TYPE]],
                url: urlOf(route, "", "{{predictionId}}"),
                test: ["pm.expect(pm.response.code).to.be.oneOf([200, 202]);"],
            },
            { name: "404 NotFound: an id never given", headers: [], url: urlOf(route, "", UNKNOWN_ID), test: errorTest(404, "NotFound") },
        );
    } else if (route.kind === "createUpload") {
        specs.push(
            {
                name: "a URL to PUT a CSV input to",
                headers: [["Content-Type", JSON_TYPE]],
                body: json({ contentType: CSV_TYPE, contentLength: 52428800 }),
                test: [
                    "pm.response.to.have.status(201);",
                    "const body = pm.response.json();",
                    "pm.expect(body.method).to.eql('PUT');",
                    "pm.expect(body.uploadUrl).to.be.a('string');",
                    "pm.collectionVariables.set('uploadId', body.id);",
                ],
            },
            {
                name: "400 ValidationError: no contentType",
                headers: [["Content-Type", JSON_TYPE]],
                body: json({ contentLength: 10 }),
                test: errorTest(400, "ValidationError"),
            },
            {
                name: "413 PayloadTooLarge: more than 1 GB",
                headers: [["Content-Type", JSON_TYPE]],
                body: json({ contentType: CSV_TYPE, contentLength: ASYNC_MAX_INPUT_BYTES + 1 }),
                test: errorTest(413, "PayloadTooLarge"),
            },
        );
    } else if (route.kind === "predictUpload") {
        specs.push({
            name: "404 NotFound: an upload never made",
            headers: [["Content-Type", CSV_TYPE]],
            url: urlOf(route, "", UNKNOWN_ID),
            test: errorTest(404, "NotFound"),
        });
    }
    specs.push(...authErrors(opts));
    return specs.map((spec) => item(route.method, spec.url ?? urlOf(route, "", UNKNOWN_ID), spec));
}

/** The request without credentials, where the API asks for them. */
function authErrors(opts: PostmanOptions): RequestSpec[] {
    if (opts.auth === "none") return [];
    const [label, code]: [string, ApiErrorCode] =
        opts.auth === "apiKey" ? ["no API key", "Forbidden"] : ["unsigned", "MissingAuthenticationToken"];
    return [{ name: `403 ${code}: ${label}`, headers: [["Content-Type", JSON_TYPE]], test: errorTest(403, code), unauthenticated: true }];
}

/** The API's error shape (contract/errors.ts) as the JSON schema the test checks. */
const ERROR_SCHEMA = {
    type: "object",
    required: ["error"],
    properties: {
        error: {
            type: "object",
            required: ["code", "message", "requestId"],
            properties: { code: { type: "string" }, message: { type: "string" }, requestId: { type: "string" } },
        },
    },
};

function errorTest(status: number, code: ApiErrorCode): string[] {
    return [
        `pm.response.to.have.status(${status});`,
        `pm.response.to.have.jsonSchema(${JSON.stringify(ERROR_SCHEMA)});`,
        `pm.expect(pm.response.json().error.code).to.eql('${code}');`,
    ];
}

function item(method: string, url: Record<string, unknown>, spec: RequestSpec): Record<string, unknown> {
    const event = [script("test", ["pm.test('answers as documented', function () {", ...spec.test.map((l) => `    ${l}`), "});"])];
    if (spec.prerequest) event.unshift(script("prerequest", spec.prerequest));
    return {
        name: spec.name,
        request: {
            method,
            header: spec.headers.map(([key, value]) => ({ key, value })),
            ...(spec.body ? { body: spec.body } : {}),
            url: spec.url ?? url,
            ...(spec.unauthenticated ? { auth: { type: "noauth" } } : {}),
        },
        event,
    };
}

function script(listen: "test" | "prerequest", lines: string[]): Record<string, unknown> {
    return { listen, script: { type: "text/javascript", exec: lines } };
}
