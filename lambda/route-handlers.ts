/**
 * What answers each route of the contract (contract/routes.ts): one record from route id to handler, typed
 * so that a route added to the contract without a handler here does not compile.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { HEADERS, type RouteId, targetModelName, VARIANT_HEADER } from "../contract";
import { createUpload, getPrediction, predictAsync, predictUploadAsync } from "./async-predictions";
import { invokeModel } from "./client";
import { ConfigError, type HandlerConfig } from "./config";
import { fromInvokeError, HttpError } from "./errors";
import { elapsedMs, type RequestLog } from "./log";
import { decodeBody, header, type ModelResponse, modelResult, readModelRequest } from "./payload";
import type { Route } from "./routes";

/** Time kept back from the Lambda deadline to answer and log instead of being killed mid-call. */
const RESPONSE_RESERVE_MS = 500;

/** A request matched to one of the contract's routes, with what its handler needs. */
export interface RouteRequest {
    event: APIGatewayProxyEvent;
    config: HandlerConfig;
    context: Context | undefined;
    /** The request's log line, which a handler fills in as it goes. */
    log: RequestLog;
    route: Route;
}

export type RouteHandler = (request: RouteRequest) => Promise<APIGatewayProxyResult>;

/** Each route's handler. */
export const ROUTE_HANDLERS = {
    predict: (request) => (request.config.endpointKind === "async" ? predictAsync(request) : predict(request, undefined)),
    modelPredict: (request) => predict(request, servedTarget(request)),
    listModels: async ({ config }) => json(200, { models: config.modelNames }),
    getPrediction,
    createUpload,
    predictUpload: predictUploadAsync,
} satisfies Record<RouteId, RouteHandler>;

/** The TargetModel of a multi-model route: a model in the allow list, else 404 without a SageMaker call. */
function servedTarget({ config, log, route }: RouteRequest): string {
    const name = route.modelName!;
    if (!config.modelNames.includes(name)) {
        throw new HttpError(404, "ModelNotFound", `Model "${name}" is not served here; GET /models lists the models.`);
    }
    const targetModel = targetModelName(name);
    log.targetModel = targetModel;
    return targetModel;
}

/**
 * The production variant the caller pinned with `X-ModelApi-Variant`, checked here against the endpoint's
 * variants: SageMaker's own answer to an unknown `TargetVariant` is not documented ("InvokeEndpoint",
 * SageMaker Runtime API Reference), so callers get this API's 400 naming the variants, and no invocation.
 */
function pinnedVariant(event: APIGatewayProxyEvent, config: HandlerConfig, log: RequestLog): string | undefined {
    const name = header(event, VARIANT_HEADER)?.trim();
    if (name === undefined) return undefined;
    const known = config.variantNames;
    if (known.length === 0) {
        throw new HttpError(400, "BadRequest", `This API serves one model version; remove the ${VARIANT_HEADER} header.`);
    }
    if (!known.includes(name)) {
        throw new HttpError(
            400,
            "BadRequest",
            `The ${VARIANT_HEADER} header names "${name}", which is not a variant of this API; use one of ${known.map((v) => `"${v}"`).join(", ")}, or leave it out to be served by weight.`,
        );
    }
    log.targetVariant = name;
    return name;
}

/** Checks the body, asks the endpoint (the `targetModel` of a multi-model one) and answers with its result. */
async function predict({ event, config, context, log }: RouteRequest, targetModel: string | undefined): Promise<APIGatewayProxyResult> {
    if (!config.endpointName) {
        throw new ConfigError("ENDPOINT_NAME is not set");
    }
    const body = decodeBody(event);
    // Logged before the checks so that a 413 shows the size that was refused.
    log.requestBytes = body.length;
    const request = readModelRequest(event, body, config.bodyLimits);
    const targetVariant = pinnedVariant(event, config, log);

    const invokeStart = process.hrtime.bigint();
    let response: ModelResponse;
    try {
        response = await invokeModel(request, {
            endpointName: config.endpointName,
            targetModel,
            targetVariant,
            inferenceId: inferenceId(log.requestId),
            timeoutMs: invokeBudget(config, context),
        });
    } catch (err) {
        const original = (err as { OriginalStatusCode?: unknown }).OriginalStatusCode;
        if (typeof original === "number") log.modelStatus = original;
        const failure = fromInvokeError(err);
        const variant = errorVariant(err);
        if (variant === undefined) throw failure;
        log.invokedVariant = variant;
        throw new HttpError(
            failure.status,
            failure.code,
            failure.message,
            { ...failure.headers, [VARIANT_HEADER]: variant },
            failure.upstream,
        );
    } finally {
        log.invokeMs = elapsedMs(invokeStart);
    }
    if (response.invokedVariant !== undefined) log.invokedVariant = response.invokedVariant;
    return modelResult(response);
}

/**
 * InvokeEndpoint's `InferenceId` takes 1 to 64 printable characters, the first not a space ("InvokeEndpoint",
 * SageMaker Runtime API Reference); API Gateway's request ids are UUIDs. Data capture records it with each
 * request and answer, so production's and a shadow's captured records join on the API's request id.
 */
function inferenceId(requestId: string): string | undefined {
    return /^[\x21-\x7e][\x20-\x7e]{0,63}$/.test(requestId) ? requestId : undefined;
}

/**
 * The variant behind a failed invocation, when SageMaker's error answer names one: a model's error comes
 * from one variant's container. The SDK keeps the raw answer on its errors as the hidden `$response`.
 */
function errorVariant(err: unknown): string | undefined {
    const response = (err as { $response?: { headers?: Record<string, string | undefined> } } | null)?.$response;
    const value = response?.headers?.[HEADERS.invokedVariant];
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** The configured cap, shortened to what the Lambda has left so a slow model becomes a 504, not a killed Lambda. */
function invokeBudget(config: HandlerConfig, context: Context | undefined): number {
    const remaining = context?.getRemainingTimeInMillis?.();
    if (typeof remaining !== "number" || !Number.isFinite(remaining)) {
        return config.invokeTimeoutMs;
    }
    return Math.max(1, Math.min(config.invokeTimeoutMs, remaining - RESPONSE_RESERVE_MS));
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
    return { statusCode, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), isBase64Encoded: false };
}
