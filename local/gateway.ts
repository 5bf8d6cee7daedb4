/**
 * A local API Gateway (REST API, Lambda proxy integration): each HTTP request becomes the proxy
 * event API Gateway would send, the real handler answers it, and its result becomes the HTTP
 * response. What API Gateway itself enforces is enforced here too: the API key in `x-api-key`,
 * the 10 MB request limit, Lambda's 6 MB event limit and the 29-second integration timeout, with
 * API Gateway's own answers as the component's gateway responses shape them (or, for a request too
 * large, as AWS answers it unshaped). Resources, binary media types and those answers come from
 * contract/, as the component's do.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { randomUUID, timingSafeEqual } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import {
    API_GATEWAY_MAX_PAYLOAD_BYTES,
    gatewayCorsHeaders,
    firstAcceptType,
    GATEWAY_RESPONSES,
    gatewayResponseTemplate,
    type GatewayResponseSpec,
    type GatewayResponseType,
    HEADERS,
    isBinaryMediaType,
    LAMBDA_SYNC_PAYLOAD_BYTES,
    LOCAL_ACCOUNT_ID,
    LOCAL_REGION,
    matchTemplate,
    type RawAnswer,
    renderGatewayTemplate,
    UNSHAPED_GATEWAY_ANSWERS,
} from "../contract";
import { CATCH_ALL_RESOURCE, routeResourcePaths } from "../core/api/surface";
import { closeServer } from "./close-server";
import { header, readBody } from "./http";

/** API Gateway's default integration timeout for REST APIs. */
export const INTEGRATION_TIMEOUT_MS = 29_000;
export const STAGE = "local";

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
    handler: ProxyHandler;
    /** Required in `x-api-key`; undefined turns the check off. */
    apiKey?: string;
    /** Which of the contract's route sets the API has (they differ in resources). */
    multiModel?: boolean;
    /** An asynchronous API, with its prediction and upload resources. */
    asyncApi?: boolean;
    /** Origins allowed by CORS (the component's `api.cors.allowOrigins`); empty or undefined: CORS off. */
    corsAllowOrigins?: string[];
    integrationTimeoutMs?: number;
    log?: (line: string) => void;
    /** Pages served before the API key check (the API docs); returns false for requests it does not serve. */
    pages?: (req: http.IncomingMessage, res: http.ServerResponse, requestId: string) => boolean;
}

/** The resource a path falls under, with its path parameters; anything else goes to the Lambda as `/{proxy+}`. */
export function matchResource(
    pathname: string,
    multiModel = false,
    asyncApi = false,
): { resource: string; pathParameters: Record<string, string> | null } {
    // The REST API's own resources (core/api/surface.ts), so the twin's events name the ones the deployed API has.
    for (const segments of routeResourcePaths(multiModel, asyncApi)) {
        const resource = `/${segments.join("/")}`;
        const params = matchTemplate(resource, pathname);
        if (params === undefined) continue;
        const decoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(v)]));
        return { resource, pathParameters: Object.keys(decoded).length > 0 ? decoded : null };
    }
    return pathname === "/"
        ? { resource: "/", pathParameters: null }
        : { resource: `/${CATCH_ALL_RESOURCE}`, pathParameters: { proxy: pathname.slice(1) } };
}

/**
 * The event's `body` and `isBase64Encoded` for a request body, as API Gateway's REST proxy integration
 * builds them: a body whose Content-Type is a binary media type is base64-encoded; any other body is a
 * text payload, a UTF-8 string ("Binary media types for REST APIs in API Gateway", "Content type
 * conversions in API Gateway"). Bytes that are not UTF-8 cannot be carried in that string and become
 * U+FFFD, one per malformed sequence (the WHATWG decoder Node and the JVM share); the handler refuses a
 * text body holding U+FFFD, so the twin and the deployed API answer such a body alike, with a 400.
 * No body is `null`.
 */
export function eventBody(body: Buffer, contentType: string | undefined): { body: string | null; isBase64Encoded: boolean } {
    if (body.length === 0) return { body: null, isBase64Encoded: false };
    if (isBinaryMediaType(contentType)) return { body: body.toString("base64"), isBase64Encoded: true };
    return { body: new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(body), isBase64Encoded: false };
}

export class LocalGateway {
    private server?: http.Server;
    private readonly timeoutMs: number;
    private readonly log: (line: string) => void;

    constructor(private readonly opts: GatewayOptions) {
        this.timeoutMs = opts.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
        this.log = opts.log ?? (() => undefined);
    }

    /** Listens on 127.0.0.1 (`port` 0: any free port); rejects with EADDRINUSE when the port is taken. */
    async listen(port: number): Promise<number> {
        const server = http.createServer((req, res) => {
            this.handle(req, res).catch((err) => {
                this.log(`gateway error: ${(err as Error).stack ?? err}`);
                if (!res.headersSent) sendGatewayError(res, "DEFAULT_5XX", 500, "Internal server error", randomUUID());
            });
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", () => resolve());
        });
        this.server = server;
        return (server.address() as AddressInfo).port;
    }

    async close(): Promise<void> {
        const server = this.server;
        if (!server) return;
        this.server = undefined;
        await closeServer(server);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const requestId = randomUUID();
        const started = Date.now();
        const corsOrigins = this.opts.corsAllowOrigins ?? [];
        // API Gateway's own answers, in the shape the component's gateway responses give them, with the CORS
        // headers those carry: the same for every caller.
        const cors = gatewayCorsHeaders(corsOrigins);
        const fail = (type: GatewayResponseType, status: number, awsMessage: string) =>
            sendGatewayError(res, type, status, awsMessage, requestId, cors);
        // The body is always read to the end, so an early answer never resets a client still sending.
        const { body } = await readBody(req, API_GATEWAY_MAX_PAYLOAD_BYTES);
        // With CORS on, OPTIONS has its own method without auth: browsers send preflights without credentials.
        const preflight = req.method === "OPTIONS" && corsOrigins.length > 0;
        if (body === undefined) {
            // Over API Gateway's payload quota: refused before routing, auth or any gateway response.
            sendRaw(res, UNSHAPED_GATEWAY_ANSWERS.bodyTooLarge);
        } else if (this.opts.pages?.(req, res, requestId)) {
            // answered by the API docs pages, which need no key (local/api-docs.ts)
        } else if (!preflight && !this.authorised(req)) {
            fail("INVALID_API_KEY", 403, "Forbidden");
        } else {
            const event = toProxyEvent(req, body, requestId, this.opts.multiModel ?? false, this.opts.asyncApi ?? false);
            // Lambda refuses a synchronous invocation whose event exceeds its payload quota ("Lambda
            // quotas"), before the handler runs; API Gateway answers that with its own 413.
            if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_SYNC_PAYLOAD_BYTES) {
                this.log(`the Lambda event is over Lambda's ${LAMBDA_SYNC_PAYLOAD_BYTES}-byte payload limit`);
                sendRaw(res, UNSHAPED_GATEWAY_ANSWERS.eventTooLarge, requestId);
            } else {
                const result = await this.invoke(event, requestId);
                if (result === undefined) {
                    fail("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out");
                } else if (result === null || !isProxyResult(result)) {
                    // A handler that threw, or a malformed proxy result, is API Gateway's 502 whatever the handler meant.
                    if (result !== null) this.log(`handler returned a malformed proxy result: ${JSON.stringify(result)?.slice(0, 200)}`);
                    fail("DEFAULT_5XX", 502, "Internal server error");
                } else {
                    // API Gateway turns a base64 result back into bytes only when the first Accept type is binary.
                    sendResult(res, result, requestId, isBinaryMediaType(firstAcceptType(header(req, "accept"))));
                }
            }
        }
        this.log(`${req.method} ${req.url} → ${res.statusCode} in ${Date.now() - started} ms`);
    }

    private authorised(req: http.IncomingMessage): boolean {
        if (this.opts.apiKey === undefined) return true;
        const sent = req.headers[HEADERS.apiKey];
        if (typeof sent !== "string") return false;
        const a = Buffer.from(sent);
        const b = Buffer.from(this.opts.apiKey);
        return a.length === b.length && timingSafeEqual(a, b);
    }

    /** Calls the handler; undefined when it outlives the integration timeout, null when it throws. */
    private async invoke(event: APIGatewayProxyEvent, requestId: string): Promise<APIGatewayProxyResult | undefined | null> {
        const deadline = Date.now() + this.timeoutMs;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), this.timeoutMs);
        });
        try {
            return await Promise.race([this.opts.handler(event, lambdaContext(requestId, deadline)), timeout]);
        } catch (err) {
            // An unhandled exception in the Lambda is API Gateway's 502.
            this.log(`handler threw: ${(err as Error).stack ?? err}`);
            return null;
        } finally {
            clearTimeout(timer);
        }
    }
}

/** The REST API proxy event for one request, routed through a `/{proxy+}` resource. */
export function toProxyEvent(
    req: http.IncomingMessage,
    body: Buffer,
    requestId: string,
    multiModel = false,
    asyncApi = false,
): APIGatewayProxyEvent {
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    // rawHeaders keeps the client's spelling, as API Gateway does.
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
        headers[name] = value;
        (multiValueHeaders[name] ??= []).push(value);
    }
    // API Gateway tells the integration the scheme the caller used; the twin is plain HTTP.
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "x-forwarded-proto")) {
        headers["X-Forwarded-Proto"] = "http";
        multiValueHeaders["X-Forwarded-Proto"] = ["http"];
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) {
        query[key] = value;
        (multiQuery[key] ??= []).push(value);
    }
    const hasQuery = Object.keys(query).length > 0;
    let route: ReturnType<typeof matchResource>;
    try {
        route = matchResource(url.pathname, multiModel, asyncApi);
    } catch {
        // An undecodable path parameter: the path as it came, under the catch-all.
        route = { resource: `/${CATCH_ALL_RESOURCE}`, pathParameters: { proxy: url.pathname.slice(1) } };
    }
    const { resource } = route;
    const payload = eventBody(body, req.headers["content-type"]);
    const now = new Date();
    const sent = req.headers[HEADERS.apiKey];
    return {
        resource,
        path: url.pathname,
        httpMethod: req.method ?? "GET",
        headers,
        multiValueHeaders,
        queryStringParameters: hasQuery ? query : null,
        multiValueQueryStringParameters: hasQuery ? multiQuery : null,
        pathParameters: route.pathParameters,
        stageVariables: null,
        body: payload.body,
        isBase64Encoded: payload.isBase64Encoded,
        requestContext: {
            accountId: LOCAL_ACCOUNT_ID,
            apiId: "local",
            authorizer: null,
            domainName: req.headers.host ?? "127.0.0.1",
            domainPrefix: "127",
            extendedRequestId: requestId,
            httpMethod: req.method ?? "GET",
            identity: {
                accessKey: null,
                accountId: null,
                apiKey: typeof sent === "string" ? sent : null,
                apiKeyId: typeof sent === "string" ? "local" : null,
                caller: null,
                clientCert: null,
                cognitoAuthenticationProvider: null,
                cognitoAuthenticationType: null,
                cognitoIdentityId: null,
                cognitoIdentityPoolId: null,
                principalOrgId: null,
                sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
                user: null,
                userAgent: req.headers["user-agent"] ?? null,
                userArn: null,
            },
            // The path the caller used: the twin serves at its root, as a custom domain without a base path does.
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            requestId,
            requestTime: now.toUTCString(),
            requestTimeEpoch: now.getTime(),
            resourceId: "local",
            resourcePath: resource,
            stage: STAGE,
        },
    };
}

function lambdaContext(requestId: string, deadline: number): Context {
    // Locally the Lambda's time is API Gateway's integration timeout, so a slow model gets the handler's own 504.
    return {
        callbackWaitsForEmptyEventLoop: true,
        functionName: "modelapi-local",
        functionVersion: "$LATEST",
        invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:modelapi-local`,
        memoryLimitInMB: "512",
        awsRequestId: requestId,
        logGroupName: "/aws/lambda/modelapi-local",
        logStreamName: "local",
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
    };
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
    const r = value as APIGatewayProxyResult | undefined;
    return typeof r === "object" && r !== null && Number.isInteger(r.statusCode) && (r.body === undefined || typeof r.body === "string");
}

function sendResult(res: http.ServerResponse, result: APIGatewayProxyResult, requestId: string, decodeBase64: boolean): void {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
        headers[name] = values.map(String);
    }
    for (const [name, value] of Object.entries(result.headers ?? {})) {
        headers[name] = String(value);
    }
    const body = Buffer.from(result.body ?? "", result.isBase64Encoded && decodeBase64 ? "base64" : "utf8");
    headers["Content-Length"] = body.length;
    headers["x-amzn-RequestId"] = requestId;
    res.writeHead(result.statusCode, headers);
    res.end(body);
}

/**
 * An error API Gateway makes itself, rendered from the component's gateway response template for `type`:
 * `status` and `awsMessage` are what API Gateway would put in (the row's own status wins when it has one).
 */
function sendGatewayError(
    res: http.ServerResponse,
    type: GatewayResponseType,
    status: number,
    awsMessage: string,
    requestId: string,
    extra: Record<string, string> = {},
): void {
    const spec: GatewayResponseSpec = GATEWAY_RESPONSES[type];
    const body = renderGatewayTemplate(gatewayResponseTemplate(type), requestId, awsMessage);
    const headers: Record<string, string> = { ...extra, "Content-Type": "application/json" };
    if (type === "INVALID_API_KEY") headers["x-amzn-ErrorType"] = "ForbiddenException";
    sendRaw(res, { status: spec.status ?? status, headers, body }, requestId);
}

/** An answer exactly as given, with the request id header when the request got one. */
function sendRaw(res: http.ServerResponse, answer: RawAnswer, requestId?: string): void {
    const bytes = Buffer.from(answer.body);
    const headers: http.OutgoingHttpHeaders = { ...answer.headers, "Content-Length": bytes.length };
    if (requestId) headers["x-amzn-RequestId"] = requestId;
    res.writeHead(answer.status, headers);
    res.end(bytes);
}
