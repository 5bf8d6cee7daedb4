/**
 * Test support: a loopback HTTP server speaking SageMaker Runtime's InvokeEndpoint wire protocol
 * (REST-JSON), so the real SDK can be pointed at it with AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME.
 * It records every call so tests can assert what reached "SageMaker" — and that nothing did.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
    ASYNC_INVOKE_HEADERS,
    HEADERS,
    modelError,
    PRODUCTION_VARIANT,
    sageMakerError,
    type SageMakerErrorType,
    type WireError,
} from "../../contract";

export interface RecordedCall {
    /** InvokeEndpoint or InvokeEndpointAsync. */
    operation: "invoke" | "invokeAsync";
    method: string;
    path: string;
    endpointName: string;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

export interface Reply {
    status: number;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Hold the answer this long, to provoke client timeouts. */
    delayMs?: number;
}

export type Script = (call: RecordedCall) => Reply;

const INVOKE_PATH = /^\/endpoints\/([^/]+)\/(async-)?invocations$/;

/** Default behaviour: echo the body back with the requested Accept type, like a trivial model. */
export const echo: Script = (call) => ({
    status: 200,
    headers: {
        "Content-Type": String(call.headers["accept"] ?? "application/json"),
        [HEADERS.invokedVariant]: PRODUCTION_VARIANT,
    },
    body: call.body,
});

/**
 * InvokeEndpointAsync's answer: 202, `{"InferenceId"}` in the body, where the answer and the failure will
 * be in headers, under object names that are not the InferenceId, as SageMaker's are (SDK 3.1162.0's
 * InvokeEndpointAsyncOutput; a recorded real answer: output `<uuid>.out`, failure `<uuid>-error.out`).
 */
export function acceptedAsync(call: RecordedCall, outputPrefix: string, failurePrefix: string): Reply {
    const object = randomUUID();
    return {
        status: 202,
        headers: {
            "Content-Type": "application/json",
            [ASYNC_INVOKE_HEADERS.outputLocation]: `${outputPrefix}${object}.out`,
            [ASYNC_INVOKE_HEADERS.failureLocation]: `${failurePrefix}${object}-error.out`,
        },
        body: JSON.stringify({ InferenceId: String(call.headers[ASYNC_INVOKE_HEADERS.inferenceId] ?? randomUUID()) }),
    };
}

export const replies = {
    ok(body: string | Buffer, contentType: string, headers: Record<string, string> = {}): Reply {
        return {
            status: 200,
            headers: { "Content-Type": contentType, [HEADERS.invokedVariant]: PRODUCTION_VARIANT, ...headers },
            body,
        };
    },
    /** SageMaker's answer when the container returned a non-2xx: always 424, the container's status in the body. */
    modelError(originalStatus: number, originalMessage: string): Reply {
        return fromWire(modelError("test", originalStatus, originalMessage));
    },
    error(name: SageMakerErrorType, status: number, message: string): Reply {
        return fromWire(sageMakerError(name, status, message));
    },
};

/** The same wire shape the local runtime sends (contract/sagemaker.ts), so the SDK is tested on one format. */
function fromWire(wire: WireError): Reply {
    return { status: wire.status, headers: wire.headers, body: wire.body };
}

export class SageMakerRuntimeServer {
    readonly calls: RecordedCall[] = [];
    private script: Script = echo;
    private server?: http.Server;
    private readonly pending = new Set<NodeJS.Timeout>();

    /** Answer every following call with `reply` (or a function of the call) until reset(). */
    respondWith(reply: Reply | Script): void {
        this.script = typeof reply === "function" ? reply : () => reply;
    }

    reset(): void {
        this.calls.length = 0;
        this.script = echo;
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        this.server.keepAliveTimeout = 5_000;
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        for (const t of this.pending) clearTimeout(t);
        this.pending.clear();
        if (!this.server) return;
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const path = req.url ?? "";
            const m = INVOKE_PATH.exec(path);
            if (req.method !== "POST" || !m) {
                this.send(res, replies.error("UnknownOperationException", 404, `no such operation ${req.method} ${path}`));
                return;
            }
            const call: RecordedCall = {
                operation: m[2] ? "invokeAsync" : "invoke",
                method: req.method,
                path,
                endpointName: decodeURIComponent(m[1]),
                headers: req.headers,
                body: Buffer.concat(chunks),
            };
            this.calls.push(call);
            const reply = this.script(call);
            if (reply.delayMs) {
                const t = setTimeout(() => {
                    this.pending.delete(t);
                    this.send(res, reply);
                }, reply.delayMs);
                this.pending.add(t);
            } else {
                this.send(res, reply);
            }
        });
    }

    private send(res: http.ServerResponse, reply: Reply): void {
        if (res.destroyed) return;
        const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body);
        res.writeHead(reply.status, { ...reply.headers, "Content-Length": String(body.length), "x-amzn-RequestId": "sm-req-1" });
        res.end(body);
    }
}
