/**
 * @internal What the API exposes, read from the modules that implement it: the routes the REST API
 * creates (rest-api.ts `routesFor`), the content types and payload limits the Lambda enforces
 * (lambda/payload.ts, lambda/config.ts) and the binary media types API Gateway passes as base64.
 * The OpenAPI document and the Postman collection are generated from this one listing, so they follow
 * any change there; a data-path contract module, once it exists, replaces the imports below and
 * nothing else.
 */
import { PAYLOAD_LIMITS } from "../lambda/config";
import { DEFAULT_CONTENT_TYPE, SUPPORTED_CONTENT_TYPES } from "../lambda/payload";
import { BINARY_MEDIA_TYPES, routesFor } from "./rest-api";

/** @internal One route as callers see it. */
export interface SurfaceRoute {
    method: "GET" | "POST";
    /** Path below the stage, with `{name}` templates: `/predict`, `/models/{name}/predict`, `/models`. */
    path: string;
    /** "predict" routes take a model input; "listModels" answers the served model names. */
    kind: "predict" | "listModels";
}

/** @internal The data path's facts the generated documents need. */
export interface ApiSurface {
    routes: SurfaceRoute[];
    /** Request and response media types the model server reads and writes. */
    contentTypes: readonly string[];
    defaultContentType: string;
    /** Media types that travel base64-encoded through API Gateway. */
    binaryMediaTypes: readonly string[];
    /** Largest request body, in bytes, by endpoint kind. */
    payloadLimits: { realtime: number; serverless: number };
}

/** @internal The API surface of a single-model or a multi-model deployment. */
export function apiSurface(multiModel: boolean): ApiSurface {
    return {
        routes: routesFor(multiModel).map((route) => ({
            method: route.method,
            path: `/${route.segments.join("/")}`,
            kind: route.method === "GET" ? "listModels" : "predict",
        })),
        contentTypes: SUPPORTED_CONTENT_TYPES,
        defaultContentType: DEFAULT_CONTENT_TYPE,
        binaryMediaTypes: BINARY_MEDIA_TYPES,
        payloadLimits: { ...PAYLOAD_LIMITS },
    };
}
