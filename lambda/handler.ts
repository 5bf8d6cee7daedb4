/**
 * API Gateway (REST, proxy integration) → SageMaker InvokeEndpoint.
 * Everything that can be rejected is rejected here, before the endpoint is billed for it.
 * The Lambda runtime entry is `index.handler` in the bundle built by bundle.ts.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { corsHeaders, preflightHeaders, routesFor, targetModelName } from "../contract";
import { invokeModel } from "./client";
import { ConfigError, type HandlerConfig, readConfig } from "./config";
import { errorResponse, fromInvokeError, HttpError, internalError } from "./errors";
import { elapsedMs, logRequest, type RequestLog } from "./log";
import { decodeBody, header, type ModelResponse, modelResult, readModelRequest } from "./payload";
import { matchRoute, methodsFor } from "./routes";

export { getClient } from "./client";

/** Time kept back from the Lambda deadline to answer and log instead of being killed mid-call. */
const RESPONSE_RESERVE_MS = 500;

export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
    const start = process.hrtime.bigint();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? "unknown";
    const log: RequestLog = {
        requestId,
        method: event.httpMethod,
        route: null,
        targetModel: null,
        status: 0,
        latencyMs: 0,
        invokeMs: null,
        requestBytes: 0,
        responseBytes: 0,
    };
    let result: APIGatewayProxyResult;
    let config: HandlerConfig | undefined;
    try {
        config = readConfig();
        result = await route(event, config, context, log);
    } catch (err) {
        const failure = toHttpError(err, log);
        log.errorCode = failure.code;
        if (failure.upstream) log.upstreamError = failure.upstream;
        result = errorResponse(failure, requestId);
    }
    // Every answer, errors included, carries the CORS headers a browser needs to read it.
    const cors = corsHeaders(header(event, "origin"), config?.corsAllowOrigins ?? []);
    if (Object.keys(cors).length > 0) result.headers = { ...result.headers, ...cors };
    log.status = result.statusCode;
    log.responseBytes = Buffer.byteLength(result.body, result.isBase64Encoded ? "base64" : "utf8");
    log.latencyMs = elapsedMs(start);
    logRequest(log);
    return result;
}

async function route(
    event: APIGatewayProxyEvent,
    config: HandlerConfig,
    context: Context | undefined,
    log: RequestLog,
): Promise<APIGatewayProxyResult> {
    const multiModel = config.modelNames.length > 0;
    const method = event.httpMethod ?? "";
    const path = event.path ?? "";
    if (method.toUpperCase() === "OPTIONS" && config.corsAllowOrigins.length > 0) {
        // A CORS preflight: API Gateway lets it through without the API key, as browsers send none.
        const headers = preflightHeaders(header(event, "origin"), config.corsAllowOrigins, methodsFor(path, multiModel));
        return { statusCode: 204, headers, body: "", isBase64Encoded: false };
    }
    const match = matchRoute(method, path, multiModel);
    if (!match.found) {
        log.route = match.template ?? null;
        if (match.allow) {
            throw new HttpError(405, "MethodNotAllowed", `${method} is not allowed on ${match.template}; use ${match.allow}.`, {
                Allow: match.allow,
            });
        }
        throw new HttpError(404, "NotFound", `No route for ${method} ${path}. ${usage(multiModel)}`);
    }
    log.route = match.route.template;

    if (match.route.id === "listModels") {
        return json(200, { models: config.modelNames });
    }
    let targetModel: string | undefined;
    if (match.route.id === "modelPredict") {
        const name = match.route.modelName!;
        if (!config.modelNames.includes(name)) {
            throw new HttpError(404, "ModelNotFound", `Model "${name}" is not served here; GET /models lists the models.`);
        }
        targetModel = targetModelName(name);
        log.targetModel = targetModel;
    }
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

function toHttpError(err: unknown, log: RequestLog): HttpError {
    if (err instanceof HttpError) return err;
    if (err instanceof ConfigError) {
        log.detail = err.message;
        return internalError("ConfigError");
    }
    // Unexpected: keep the name for the operator; the caller gets only the requestId.
    return internalError(err instanceof Error ? err.name : typeof err);
}

function usage(multiModel: boolean): string {
    return `Use ${routesFor(multiModel)
        .map((r) => `${r.method} ${r.path}`)
        .join(" or ")}.`;
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
    return { statusCode, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), isBase64Encoded: false };
}
