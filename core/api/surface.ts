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
    routesFor,
} from "../../contract";

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

/** @internal The API surface of a single-model or a multi-model deployment. */
export function apiSurface(multiModel: boolean): ApiSurface {
    return {
        routes: routesFor(multiModel).map((route) => ({
            method: route.method,
            path: route.path,
            kind: route.id === "listModels" ? "listModels" : "predict",
        })),
        contentTypes: REQUEST_CONTENT_TYPES,
        responseContentTypes: RESPONSE_CONTENT_TYPES,
        defaultContentType: DEFAULT_CONTENT_TYPE,
        binaryMediaTypes: BINARY_MEDIA_TYPES,
        bodyLimits: { realtime: requestBodyLimits("realtime"), serverless: requestBodyLimits("serverless") },
    };
}
