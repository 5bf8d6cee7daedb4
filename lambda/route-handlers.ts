/**
 * What answers each route of the contract (contract/routes.ts): one record from route id to handler, typed
 * so that a route added to the contract without a handler here does not compile.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { type RouteId, targetModelName } from "../contract";
import { createUpload, getPrediction, predictAsync, predictUploadAsync } from "./async-predictions";
import { invokeModel } from "./client";
import { ConfigError, type HandlerConfig } from "./config";
import { fromInvokeError, HttpError } from "./errors";
import { elapsedMs, type RequestLog } from "./log";
import { decodeBody, type ModelResponse, modelResult, readModelRequest } from "./payload";
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

/** Checks the body, asks the endpoint (the `targetModel` of a multi-model one) and answers with its result. */
async function predict({ event, config, context, log }: RouteRequest, targetModel: string | undefined): Promise<APIGatewayProxyResult> {
    if (!config.endpointName) {
        throw new ConfigError("ENDPOINT_NAME is not set");
    }
    const body = decodeBody(event);
    // Logged before the checks so that a 413 shows the size that was refused.
    log.requestBytes = body.length;
    const request = readModelRequest(event, body, config.bodyLimits);

    const invokeStart = process.hrtime.bigint();
    let response: ModelResponse;
    try {
        response = await invokeModel(request, {
            endpointName: config.endpointName,
            targetModel,
            timeoutMs: invokeBudget(config, context),
        });
    } catch (err) {
        const original = (err as { OriginalStatusCode?: unknown }).OriginalStatusCode;
        if (typeof original === "number") log.modelStatus = original;
        throw fromInvokeError(err);
    } finally {
        log.invokeMs = elapsedMs(invokeStart);
    }
    return modelResult(response);
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
