/**
 * API Gateway (REST, proxy integration) → SageMaker InvokeEndpoint.
 * Everything that can be rejected is rejected here, before the endpoint is billed for it.
 * The Lambda runtime entry is `index.handler` in the bundle built by bundle.ts.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { corsHeaders, preflightHeaders, routesFor } from "../contract";
import { ConfigError, type HandlerConfig, readConfig } from "./config";
import { errorResponse, HttpError, internalError } from "./errors";
import { elapsedMs, logRequest, type RequestLog } from "./log";
import { header } from "./payload";
import { ROUTE_HANDLERS } from "./route-handlers";
import { matchRoute, methodsFor } from "./routes";

export { getClient } from "./client";

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
    const asyncApi = config.endpointKind === "async";
    const method = event.httpMethod ?? "";
    const path = event.path ?? "";
    if (method.toUpperCase() === "OPTIONS" && config.corsAllowOrigins.length > 0) {
        // A CORS preflight: API Gateway lets it through without the API key, as browsers send none.
        const headers = preflightHeaders(header(event, "origin"), config.corsAllowOrigins, methodsFor(path, multiModel, asyncApi));
        return { statusCode: 204, headers, body: "", isBase64Encoded: false };
    }
    const match = matchRoute(method, path, multiModel, asyncApi);
    if (!match.found) {
        log.route = match.template ?? null;
        if (match.allow) {
            throw new HttpError(405, "MethodNotAllowed", `${method} is not allowed on ${match.template}; use ${match.allow}.`, {
                Allow: match.allow,
            });
        }
        throw new HttpError(404, "NotFound", `No route for ${method} ${path}. ${usage(multiModel, asyncApi)}`);
    }
    log.route = match.route.template;
    return ROUTE_HANDLERS[match.route.id]({ event, config, context, log, route: match.route });
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

function usage(multiModel: boolean, asyncApi: boolean): string {
    return `Use ${routesFor(multiModel, asyncApi)
        .map((r) => `${r.method} ${r.path}`)
        .join(" or ")}.`;
}
