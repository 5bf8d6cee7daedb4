/**
 * @internal What the API exposes, read from the data-path contract (contract/): the routes the REST API
 * creates and the Lambda serves, the content types, the binary media types API Gateway passes as base64,
 * and the request body limits the Lambda enforces. The OpenAPI document and the Postman collection are
 * generated from this one listing, so they follow any change to the contract.
 */
import {
    BINARY_MEDIA_TYPES,
    DEFAULT_CONTENT_TYPE,
    type EndpointKind,
    REQUEST_CONTENT_TYPES,
    RESPONSE_CONTENT_TYPES,
    type BodyLimits,
    requestBodyLimits,
    pathSegments,
    routesFor,
} from "../../contract";

/** @internal One route as callers see it. */
export interface SurfaceRoute {
    method: "GET" | "POST";
    /** Path below the stage, with `{name}` templates: `/predict`, `/models/{name}/predict`, `/models`. */
    path: string;
    /**
     * "predict" routes take a model input; "listModels" answers the served model names; the others exist
     * on an asynchronous API only: "getPrediction", "createUpload", "predictUpload" (contract/routes.ts).
     */
    kind: "predict" | "listModels" | "getPrediction" | "createUpload" | "predictUpload";
}

/** @internal The data path's facts the generated documents need. */
export interface ApiSurface {
    routes: SurfaceRoute[];
    /** Request media types the model server reads. */
    contentTypes: readonly string[];
    /** Answer media types its default encoder writes. */
    responseContentTypes: readonly string[];
    defaultContentType: string;
    /** Media types that travel base64-encoded through API Gateway. */
    binaryMediaTypes: readonly string[];
    /** Largest request body, in bytes, by endpoint kind: text (JSON, CSV) and binary (NPY) bodies. */
    bodyLimits: Record<EndpointKind, BodyLimits>;
}

/** @internal The API surface of a single-model or a multi-model deployment, synchronous or asynchronous. */
export function apiSurface(multiModel: boolean, asyncApi = false): ApiSurface {
    return {
        routes: routesFor(multiModel, asyncApi).map((route) => ({
            method: route.method,
            path: route.path,
            kind: route.id === "modelPredict" ? "predict" : route.id,
        })),
        contentTypes: REQUEST_CONTENT_TYPES,
        responseContentTypes: RESPONSE_CONTENT_TYPES,
        defaultContentType: DEFAULT_CONTENT_TYPE,
        binaryMediaTypes: BINARY_MEDIA_TYPES,
        bodyLimits: {
            realtime: requestBodyLimits("realtime"),
            serverless: requestBodyLimits("serverless"),
            async: requestBodyLimits("async"),
        },
    };
}

/** @internal The REST API's catch-all resource: any path no route has reaches the handler through it. */
export const CATCH_ALL_RESOURCE = "{proxy+}";

/**
 * @internal The REST API resources of the routes (contract/routes.ts): every route's path and each path above
 * it, as segments, e.g. `["models"]`, `["models", "{name}"]`, `["models", "{name}", "predict"]`.
 */
export function routeResourcePaths(multiModel: boolean, asyncApi = false): string[][] {
    const paths = new Map<string, string[]>();
    for (const route of routesFor(multiModel, asyncApi)) {
        const segments = pathSegments(route.path);
        for (let depth = 1; depth <= segments.length; depth++) {
            paths.set(segments.slice(0, depth).join("/"), segments.slice(0, depth));
        }
    }
    return [...paths.values()];
}

/**
 * @internal Every resource of the REST API (the component creates them, the local twin routes by them): the
 * routes' resources, then the catch-all `{proxy+}` and the root. Each gets a method, so any path reaches the
 * handler's JSON 404 or 405 instead of API Gateway's 403 "Missing Authentication Token".
 */
export function resourcePathsFor(multiModel: boolean, asyncApi = false): string[][] {
    return [...routeResourcePaths(multiModel, asyncApi), [CATCH_ALL_RESOURCE], []];
}
