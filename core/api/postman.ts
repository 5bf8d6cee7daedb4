/**
 * @internal A Postman collection (format v2.1) of a ModelApi, generated from the same API surface as the
 * OpenAPI document: one request per route with an example body and a test of its answer. The URL and the
 * API key are collection variables; the key's value is never written into the collection, callers set
 * it in Postman (or `newman --env-var apiKey=...`). With `iam` auth requests are signed with AWS
 * Signature Version 4 from variables holding the caller's credentials.
 */
import { HEADERS, JSON_TYPE } from "../../contract";
import type { AuthScheme } from "./auth";
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
    /** Rows of features for the example bodies; defaults to one row of the example model (iris). */
    exampleRows?: number[][];
}

type Variable = { key: string; value: string; type: "string"; description?: string };

/** @internal The collection, as a plain JSON-serialisable object. */
export function postmanCollection(opts: PostmanOptions, surface: ApiSurface = apiSurface(opts.multiModel)): Record<string, unknown> {
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
            description: `Requests for the ModelApi ${opts.title}. Set the variables first (Collection → Variables).`,
            schema: POSTMAN_SCHEMA,
        },
        auth: auth(opts),
        variable: variables,
        item: surface.routes.map((route) => item(route, surface, rows)),
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

function item(route: SurfaceRoute, surface: ApiSurface, rows: number[][]): Record<string, unknown> {
    const segments = route.path
        .split("/")
        .slice(1)
        .map((s) => (s === "{name}" ? "{{modelName}}" : s));
    const url = { raw: `{{baseUrl}}/${segments.join("/")}`, host: ["{{baseUrl}}"], path: segments };
    if (route.kind === "listModels") {
        return {
            name: `${route.method} ${route.path}`,
            request: { method: route.method, header: [{ key: "Accept", value: JSON_TYPE }], url },
            event: [test(["pm.response.to.have.status(200);", "pm.expect(pm.response.json().models).to.be.an('array');"])],
        };
    }
    return {
        name: `${route.method} ${route.path}`,
        request: {
            method: route.method,
            header: [
                { key: "Content-Type", value: surface.defaultContentType },
                { key: "Accept", value: surface.defaultContentType },
            ],
            body: { mode: "raw", raw: JSON.stringify({ instances: rows }, null, 2), options: { raw: { language: "json" } } },
            url,
        },
        event: [
            test([
                "pm.response.to.have.status(200);",
                "const body = pm.response.json();",
                "const predictions = Array.isArray(body) ? body : body.predictions;",
                `pm.expect(predictions).to.be.an('array').with.lengthOf(${rows.length});`,
            ]),
        ],
    };
}

function test(lines: string[]): Record<string, unknown> {
    return {
        listen: "test",
        script: {
            type: "text/javascript",
            exec: ["pm.test('answers as documented', function () {", ...lines.map((l) => `    ${l}`), "});"],
        },
    };
}
