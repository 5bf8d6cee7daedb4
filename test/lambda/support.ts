/**
 * Test support: API Gateway REST proxy events, a Lambda context, env save/restore, and a way to
 * run the handler while capturing its log line.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";

export interface EventInit {
    method?: string;
    path: string;
    body?: string | Buffer | null;
    headers?: Record<string, string>;
    multiValueHeaders?: Record<string, string[]>;
    /** Send `body` base64-encoded, as API Gateway does for binary media types. */
    base64?: boolean;
    requestId?: string;
}

export function apiEvent(init: EventInit): APIGatewayProxyEvent {
    const raw = init.body ?? null;
    const body = raw === null ? null : init.base64 ? Buffer.from(raw).toString("base64") : raw.toString();
    const requestId = init.requestId ?? "req-test-1";
    return {
        httpMethod: init.method ?? "POST",
        path: init.path,
        resource: "/{proxy+}",
        headers: init.headers ?? {},
        multiValueHeaders: init.multiValueHeaders ?? {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        body,
        isBase64Encoded: init.base64 ?? false,
        requestContext: {
            requestId,
            stage: "prod",
            domainName: "example.execute-api.test",
            httpMethod: init.method ?? "POST",
            path: `/prod${init.path}`,
        },
    } as unknown as APIGatewayProxyEvent;
}

export function lambdaContext(remainingMs: number): Context {
    return {
        awsRequestId: "lambda-req-1",
        functionName: "modelapi-test",
        getRemainingTimeInMillis: () => remainingMs,
    } as unknown as Context;
}

export type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export interface Outcome {
    res: APIGatewayProxyResult;
    /** Everything the handler wrote with console.log during the call. */
    logs: string[];
    /** The parsed error body, when the answer is an error. */
    error?: { code: string; message: string; requestId: string };
}

export async function run(handler: Handler, event: APIGatewayProxyEvent, context?: Context): Promise<Outcome> {
    const logs: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
    let res: APIGatewayProxyResult;
    try {
        res = await handler(event, context);
    } finally {
        console.log = original;
    }
    const out: Outcome = { res, logs };
    if (res.statusCode >= 400 && header(res, "content-type") === "application/json") {
        out.error = JSON.parse(res.body).error;
    }
    return out;
}

export function header(res: APIGatewayProxyResult, name: string): string | undefined {
    for (const [k, v] of Object.entries(res.headers ?? {})) {
        if (k.toLowerCase() === name.toLowerCase()) return String(v);
    }
    return undefined;
}

/**
 * The SDK's env for the loopback runtime server at `url`: dummy credentials, no ambient profile or
 * session, and one attempt per call so request counts are exact (retries have their own test).
 */
export function runtimeEnv(url: string): Record<string, string | undefined> {
    return {
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_REGION: "us-east-1",
        AWS_MAX_ATTEMPTS: "1",
    };
}

/** Sets env vars for a test run and puts the previous values back afterwards. */
export class EnvScope {
    private readonly saved = new Map<string, string | undefined>();

    set(vars: Record<string, string | undefined>): void {
        for (const [k, v] of Object.entries(vars)) {
            if (!this.saved.has(k)) this.saved.set(k, process.env[k]);
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }

    restore(): void {
        for (const [k, v] of this.saved) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
        this.saved.clear();
    }
}
