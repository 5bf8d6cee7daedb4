/**
 * A local API Gateway (REST API, Lambda proxy integration): each HTTP request becomes the proxy
 * event API Gateway would send, the real handler answers it, and its result becomes the HTTP
 * response. What API Gateway itself enforces is enforced here too: the API key in `x-api-key`,
 * the 10 MB request limit and the 29-second integration timeout, with API Gateway's own answers.
 * Resources and binary media types mirror components/rest-api.ts (a test keeps them in step).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { randomUUID, timingSafeEqual } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { closeServer } from "./close-server";

/** API Gateway's request payload limit. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway's default integration timeout for REST APIs. */
export const INTEGRATION_TIMEOUT_MS = 29_000;
export const STAGE = "local";

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
    handler: ProxyHandler;
    /** Required in `x-api-key`; undefined turns the check off. */
    apiKey?: string;
    integrationTimeoutMs?: number;
    log?: (line: string) => void;
    /** Pages served before the API key check (the API docs); returns false for requests it does not serve. */
    pages?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

/** The REST API's `binaryMediaTypes` (components/rest-api.ts): these bodies travel base64-encoded. */
export const BINARY_MEDIA_TYPES = ["application/x-npy"];

/** The REST API's resources (components/rest-api.ts `routesFor`), which set `resource` and `pathParameters`. */
export const RESOURCES = ["/predict", "/models", "/models/{name}/predict"];

function mediaType(value: string | undefined): string {
    return (value ?? "").split(",")[0].split(";")[0].trim().toLowerCase();
}

/** API Gateway base64-encodes a request body whose Content-Type is a binary media type. */
export function isBinaryMediaType(contentType: string | undefined): boolean {
    return BINARY_MEDIA_TYPES.includes(mediaType(contentType));
}

/** The resource a path falls under, with its path parameters; anything else goes to the Lambda as `/{proxy+}`. */
export function matchResource(pathname: string): { resource: string; pathParameters: Record<string, string> | null } {
    const segments = pathname.split("/").slice(1);
    for (const resource of RESOURCES) {
        const parts = resource.split("/").slice(1);
        if (parts.length !== segments.length) continue;
        const params: Record<string, string> = {};
        const matches = parts.every((part, i) => {
            if (part.startsWith("{")) {
                params[part.slice(1, -1)] = decodeURIComponent(segments[i]);
                return segments[i] !== "";
            }
            return part === segments[i];
        });
        if (matches) return { resource, pathParameters: Object.keys(params).length > 0 ? params : null };
    }
    return pathname === "/" ? { resource: "/", pathParameters: null } : { resource: "/{proxy+}", pathParameters: { proxy: pathname.slice(1) } };
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
                if (!res.headersSent) send(res, 500, { message: "Internal server error" }, randomUUID());
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
        // The body is always read to the end, so an early answer never resets a client still sending.
        const { body, size } = await readBody(req, MAX_REQUEST_BYTES);
        if (this.opts.pages?.(req, res)) {
            // answered by the pages
        } else if (!this.authorised(req)) {
            send(res, 403, { message: "Forbidden" }, requestId, "ForbiddenException");
        } else if (size > MAX_REQUEST_BYTES) {
            send(res, 413, { message: "Request Too Long" }, requestId);
        } else {
            const event = toProxyEvent(req, body, requestId);
            const result = await this.invoke(event, requestId);
            if (result === undefined) {
                send(res, 504, { message: "Endpoint request timed out" }, requestId);
            } else if (!isProxyResult(result)) {
                // A malformed proxy result is API Gateway's 502, whatever the handler meant.
                this.log(`handler returned a malformed proxy result: ${JSON.stringify(result)?.slice(0, 200)}`);
                send(res, 502, { message: "Internal server error" }, requestId);
            } else {
                // API Gateway turns a base64 result back into bytes only for a client that accepts a binary type.
                sendResult(res, result, requestId, isBinaryMediaType(req.headers.accept));
            }
        }
        this.log(`${req.method} ${req.url} → ${res.statusCode} in ${Date.now() - started} ms`);
    }

    private authorised(req: http.IncomingMessage): boolean {
        if (this.opts.apiKey === undefined) return true;
        const sent = req.headers["x-api-key"];
        if (typeof sent !== "string") return false;
        const a = Buffer.from(sent);
        const b = Buffer.from(this.opts.apiKey);
        return a.length === b.length && timingSafeEqual(a, b);
    }

    /** Calls the handler; undefined when it outlives the integration timeout. */
    private async invoke(event: APIGatewayProxyEvent, requestId: string): Promise<APIGatewayProxyResult | undefined> {
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
            return { statusCode: 502, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ message: "Internal server error" }) };
        } finally {
            clearTimeout(timer);
        }
    }
}

/** The REST API proxy event for one request, routed through a `/{proxy+}` resource. */
export function toProxyEvent(req: http.IncomingMessage, body: Buffer, requestId: string): APIGatewayProxyEvent {
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    // rawHeaders keeps the client's spelling, as API Gateway does.
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
        headers[name] = value;
        (multiValueHeaders[name] ??= []).push(value);
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
        route = matchResource(url.pathname);
    } catch {
        // An undecodable path parameter: the path as it came, under the catch-all.
        route = { resource: "/{proxy+}", pathParameters: { proxy: url.pathname.slice(1) } };
    }
    const { resource } = route;
    const binary = isBinaryMediaType(req.headers["content-type"]);
    const now = new Date();
    const sent = req.headers["x-api-key"];
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
        body: body.length === 0 ? null : body.toString(binary ? "base64" : "utf8"),
        isBase64Encoded: body.length > 0 && binary,
        requestContext: {
            accountId: "000000000000",
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
            path: `/${STAGE}${url.pathname}`,
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
        invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:modelapi-local",
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

function send(res: http.ServerResponse, status: number, body: unknown, requestId: string, errorType?: string): void {
    const bytes = Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { "Content-Type": "application/json", "Content-Length": bytes.length, "x-amzn-RequestId": requestId };
    if (errorType) headers["x-amzn-ErrorType"] = errorType;
    res.writeHead(status, headers);
    res.end(bytes);
}

/** Reads the whole request but keeps at most `limit` bytes; `size` is what was sent. */
async function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer; size: number }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size <= limit) chunks.push(chunk as Buffer);
    }
    return { body: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), size };
}
