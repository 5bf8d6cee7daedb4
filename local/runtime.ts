/**
 * A local SageMaker Runtime: the InvokeEndpoint wire protocol (REST-JSON) on 127.0.0.1, in front of
 * the serving container. The Lambda's AWS SDK client talks to it through
 * AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME exactly as it talks to SageMaker, so successes and errors
 * (ModelError with the original status, ValidationError, ModelNotReadyException, ServiceUnavailable)
 * reach the handler in the shapes the SDK deserialises from the real service.
 *
 * An endpoint with several production variants routes each invocation as SageMaker does: to the variant
 * the caller names in TargetVariant, else to one chosen at random by weight ("the targeted routing
 * overrides the random traffic distribution", "Testing models with production variants", SageMaker
 * Developer Guide). A shadow variant gets copies of the answered requests through shadow-mirror.ts.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import {
    HEADERS,
    LOCAL_ACCOUNT_ID,
    LOCAL_REGION,
    modelError as modelErrorReply,
    modelNameOfTarget,
    PRODUCTION_VARIANT,
    SAGEMAKER_MAX_PAYLOAD_BYTES,
    sageMakerError,
    type SageMakerErrorType,
    TARGET_VARIANT_HEADER,
    targetModelName,
    type WireError,
} from "../contract";
import type { ShadowMirror } from "./shadow-mirror";
import { AsyncInvocations, type AsyncOptions, AsyncRefusal } from "./async-runtime";
import { extractTarGz } from "./untar";
import { closeServer } from "./close-server";
import { header, readBody } from "./http";

export { LOCAL_REGION };

/** SageMaker answers every InvokeEndpoint within 60 seconds, model loading included. */
export const INVOCATION_TIMEOUT_MS = 60_000;
/** The twin's endpoint is a real-time one. */
export const MAX_PAYLOAD_BYTES = SAGEMAKER_MAX_PAYLOAD_BYTES.realtime;

/** How the runtime reaches the serving container. */
export interface ContainerTarget {
    /** e.g. http://127.0.0.1:8123 */
    url: string;
    /** The `url` to send in `POST /models` for a model unpacked into `hostDir` (differs inside an image). */
    modelUrl(hostDir: string): string;
}

export interface RuntimeOptions {
    endpointName: string;
    container: ContainerTarget;
    /** Multi-model only: TargetModel (`{name}.tar.gz`) → the archive to load it from. */
    models?: Map<string, string>;
    /** Multi-model only: where archives are unpacked when first invoked. */
    unpackRoot?: string;
    invocationTimeoutMs?: number;
    /** An asynchronous endpoint: InvokeEndpointAsync through this S3, and no InvokeEndpoint. */
    async?: AsyncOptions;
    log?: (line: string) => void;
    /** Production variants, each its own container; absent: one variant, `AllTraffic`, on `container`. */
    variants?: RuntimeVariant[];
    /** A shadow beside the one production variant, fed copies of its answered requests. */
    shadow?: ShadowMirror;
    /** Uniform in [0, 1): picks a variant by weight; injectable so tests can seed it. */
    random?: () => number;
}

export interface RuntimeVariant {
    name: string;
    weight: number;
    container: ContainerTarget;
}

interface Upstream {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

/** An InvokeEndpoint error, in the wire shape the AWS SDK deserialises (contract/sagemaker.ts). */
class RuntimeError extends Error {
    constructor(readonly reply: WireError) {
        super(reply.body);
    }

    static of(type: SageMakerErrorType, status: number, message: string): RuntimeError {
        return new RuntimeError(sageMakerError(type, status, message));
    }
}

export class LocalRuntime {
    private server?: http.Server;
    private readonly loading = new Map<string, Promise<void>>();
    /** Loaded model name → last use, for evicting the least recently used model on a 507. */
    private readonly loaded = new Map<string, number>();
    private readonly timeoutMs: number;
    private readonly log: (line: string) => void;
    private readonly variants: RuntimeVariant[];
    private readonly random: () => number;
    private readonly asyncInvocations?: AsyncInvocations;

    constructor(private readonly opts: RuntimeOptions) {
        this.timeoutMs = opts.invocationTimeoutMs ?? INVOCATION_TIMEOUT_MS;
        this.log = opts.log ?? (() => undefined);
        this.variants = opts.variants ?? [{ name: PRODUCTION_VARIANT, weight: 1, container: opts.container }];
        this.random = opts.random ?? Math.random;
        if (opts.async) this.asyncInvocations = new AsyncInvocations(opts.async, opts.container.url, this.log);
    }

    get multiModel(): boolean {
        return this.opts.models !== undefined;
    }

    /** Listens on 127.0.0.1 (`port` 0: any free port) and returns the base URL. */
    async listen(port = 0): Promise<string> {
        const server = http.createServer((req, res) => {
            this.handle(req, res).catch((err) => {
                this.log(`runtime error: ${(err as Error).stack ?? err}`);
                if (!res.headersSent) sendError(res, RuntimeError.of("InternalFailure", 500, "An internal error occurred."));
            });
        });
        this.server = server;
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", () => resolve());
        });
        return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }

    async close(): Promise<void> {
        this.asyncInvocations?.close();
        const server = this.server;
        if (!server) return;
        this.server = undefined;
        await closeServer(server);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const started = Date.now();
        const url = new URL(req.url ?? "/", "http://localhost");
        const asyncMatch = /^\/endpoints\/([^/]+)\/async-invocations$/.exec(url.pathname);
        if (asyncMatch && req.method === "POST" && this.asyncInvocations) {
            return this.handleAsync(decodeURIComponent(asyncMatch[1]), req, res);
        }
        const match = /^\/endpoints\/([^/]+)\/invocations$/.exec(url.pathname);
        const target = header(req, HEADERS.targetModel);
        let status = 0;
        let variant: RuntimeVariant | undefined;
        try {
            if (!match || req.method !== "POST") {
                // The real service answers unknown operations like this; the SDK never sends them.
                throw RuntimeError.of("UnknownOperationException", 404, `Unknown operation ${req.method} ${url.pathname}`);
            }
            const endpoint = decodeURIComponent(match[1]);
            if (endpoint !== this.opts.endpointName) {
                throw RuntimeError.of("ValidationError", 400, `Endpoint ${endpoint} of account ${LOCAL_ACCOUNT_ID} not found.`);
            }
            const { body, size } = await readBody(req, MAX_PAYLOAD_BYTES);
            if (this.asyncInvocations) {
                // "An endpoint with AsyncInferenceConfig can only receive asynchronous invocations" ("Asynchronous inference").
                throw RuntimeError.of("ValidationError", 400, `Endpoint ${endpoint} is an asynchronous endpoint; use InvokeEndpointAsync.`);
            }
            if (body === undefined) {
                // InvokeEndpoint refuses a payload over its limit as a validation error.
                throw RuntimeError.of(
                    "ValidationError",
                    413,
                    `Request payload of ${size} bytes exceeds the ${MAX_PAYLOAD_BYTES} byte limit of InvokeEndpoint.`,
                );
            }
            variant = chooseVariant(this.variants, header(req, TARGET_VARIANT_HEADER), this.random, this.opts.shadow?.comparison.shadow);
            const invokeStarted = process.hrtime.bigint();
            const upstream = await this.invoke(body, req, target, variant.container.url);
            status = upstream.status;
            this.mirrorAfter(res, body, req, upstream, invokeStarted);
            if (upstream.status >= 400) {
                const failure = modelError(this.opts.endpointName, upstream.status, upstream.body.toString("utf8"));
                // Whether SageMaker names the variant on a ModelError is not documented; the twin does when it has
                // several, so a failing version shows which one it is.
                if (this.opts.variants) failure.reply.headers[HEADERS.invokedVariant] = variant.name;
                throw failure;
            }
            const headers: http.OutgoingHttpHeaders = {
                "Content-Type": upstream.headers["content-type"] ?? "application/octet-stream",
                "Content-Length": upstream.body.length,
                "x-Amzn-Invoked-Production-Variant": variant.name,
                "x-amzn-RequestId": randomUUID(),
            };
            const attributes = upstream.headers[HEADERS.customAttributes];
            if (typeof attributes === "string") headers[HEADERS.customAttributes] = attributes;
            res.writeHead(200, headers);
            res.end(upstream.body);
        } catch (err) {
            if (!(err instanceof RuntimeError)) throw err;
            sendError(res, err);
        } finally {
            const model = (target ? ` ${target}` : "") + (this.opts.variants && variant ? ` variant ${variant.name}` : "");
            const upstream = status ? ` (container ${status})` : "";
            this.log(`InvokeEndpoint${model} → ${res.statusCode}${upstream} in ${Date.now() - started} ms`);
        }
    }

    /**
     * Offers the request to the shadow once the caller's answer has gone out, with the production answer to
     * compare against; nothing the shadow does can reach `res`.
     */
    private mirrorAfter(res: http.ServerResponse, body: Buffer, req: http.IncomingMessage, production: Upstream, started: bigint): void {
        const shadow = this.opts.shadow;
        if (!shadow) return;
        const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
        const headers: http.OutgoingHttpHeaders = { Accept: header(req, "accept") ?? "*/*" };
        const contentType = header(req, "content-type");
        if (contentType !== undefined) headers["Content-Type"] = contentType;
        res.once("finish", () => shadow.offer(body, headers, { status: production.status, body: production.body, latencyMs }));
    }

    private async handleAsync(endpoint: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const started = Date.now();
        try {
            if (endpoint !== this.opts.endpointName) {
                throw new AsyncRefusal("ValidationError", 400, `Endpoint ${endpoint} of account ${LOCAL_ACCOUNT_ID} not found.`);
            }
            await this.asyncInvocations!.accept(req, res);
        } catch (err) {
            if (!(err instanceof AsyncRefusal)) throw err;
            sendError(res, RuntimeError.of(err.type, err.status, err.message));
        } finally {
            this.log(`InvokeEndpointAsync → ${res.statusCode} in ${Date.now() - started} ms`);
        }
    }

    private async invoke(body: Buffer, req: http.IncomingMessage, target: string | undefined, containerUrl: string): Promise<Upstream> {
        // The caller's Content-Type only when it sent one: boto3 and the AWS CLI send none when ContentType is
        // not given (botocore serialize.py: no content type for streaming bodies), and the server reads a
        // body without one as JSON, as AWS's sagemaker-containers does (_worker.py, Request.content_type).
        const headers: http.OutgoingHttpHeaders = { Accept: header(req, "accept") ?? "*/*" };
        const contentType = header(req, "content-type");
        if (contentType !== undefined) headers["Content-Type"] = contentType;
        const attributes = header(req, HEADERS.customAttributes);
        if (attributes !== undefined) headers[HEADERS.customAttributes] = attributes;
        const deadline = Date.now() + this.timeoutMs;

        if (!this.multiModel) {
            if (target !== undefined) {
                throw RuntimeError.of(
                    "ValidationError",
                    400,
                    `Endpoint ${this.opts.endpointName} is not a multi-model endpoint and does not accept TargetModel.`,
                );
            }
            return this.call("POST", "/invocations", headers, body, deadline, containerUrl);
        }
        if (target === undefined) {
            throw RuntimeError.of(
                "ValidationError",
                400,
                `Endpoint ${this.opts.endpointName} is a multi-model endpoint; TargetModel is required.`,
            );
        }
        const archive = this.opts.models!.get(target);
        if (archive === undefined) {
            throw RuntimeError.of(
                "ValidationError",
                400,
                `Failed to download model data(key: ${target}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`,
            );
        }
        const name = modelNameOfTarget(target);
        await this.ensureLoaded(name, archive, deadline);
        this.loaded.set(name, Date.now());
        return this.call("POST", `/models/${encodeURIComponent(name)}/invoke`, headers, body, deadline);
    }

    /** Loads a model once, however many requests ask for it at the same time. */
    private async ensureLoaded(name: string, archive: string, deadline: number): Promise<void> {
        let loading = this.loading.get(name);
        if (!loading) {
            loading = this.load(name, archive);
            this.loading.set(name, loading);
            // A failed load is retried by the next request rather than remembered.
            loading.catch(() => this.loading.delete(name));
        }
        let timer: NodeJS.Timeout | undefined;
        const tooSlow = new Promise<never>((_, reject) => {
            timer = setTimeout(
                () =>
                    reject(
                        RuntimeError.of(
                            "ModelNotReadyException",
                            429,
                            `Model ${targetModelName(name)} is not yet loaded; it continues loading. Retry the request.`,
                        ),
                    ),
                Math.max(0, deadline - Date.now()),
            );
        });
        try {
            await Promise.race([loading, tooSlow]);
        } finally {
            clearTimeout(timer);
        }
    }

    private async load(name: string, archive: string): Promise<void> {
        const dir = path.join(this.opts.unpackRoot!, name);
        fs.rmSync(dir, { recursive: true, force: true });
        try {
            await extractTarGz(archive, dir);
        } catch (err) {
            // SageMaker reports an archive it cannot unpack as the model's failure to load.
            this.log(`cannot load model ${name}: ${(err as Error).message}`);
            throw modelError(this.opts.endpointName, 500, `Failed to load model ${name}: ${(err as Error).message}`);
        }
        this.log(`loading model ${name}: unpacked ${targetModelName(name)} into ${dir}`);
        const body = Buffer.from(JSON.stringify({ model_name: name, url: this.opts.container.modelUrl(dir) }));
        const headers = { "Content-Type": "application/json" };
        for (;;) {
            // Loading has SageMaker's own, longer budget; the invocation waiting on it gives up after its timeout.
            const res = await this.call("POST", "/models", headers, body, Date.now() + 6 * this.timeoutMs);
            if (res.status < 300 || res.status === 409) {
                this.loaded.set(name, Date.now());
                return;
            }
            if (res.status === 507 && (await this.evictOne(name))) continue;
            throw modelError(this.opts.endpointName, res.status, res.body.toString("utf8"));
        }
    }

    /** Out of memory: unload the least recently used other model, as SageMaker does. */
    private async evictOne(except: string): Promise<boolean> {
        const victims = [...this.loaded.entries()].filter(([n]) => n !== except).sort((a, b) => a[1] - b[1]);
        if (victims.length === 0) return false;
        const [victim] = victims[0];
        this.loaded.delete(victim);
        this.loading.delete(victim);
        this.log(`out of memory loading ${except}: unloading ${victim}`);
        await this.call("DELETE", `/models/${encodeURIComponent(victim)}`, {}, Buffer.alloc(0), Date.now() + this.timeoutMs);
        return true;
    }

    private call(
        method: string,
        route: string,
        headers: http.OutgoingHttpHeaders,
        body: Buffer,
        deadline: number,
        containerUrl = this.opts.container.url,
    ): Promise<Upstream> {
        const url = new URL(route, containerUrl);
        return new Promise((resolve, reject) => {
            const req = http.request(url, { method, headers: { ...headers, "Content-Length": body.length } }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
                res.on("error", (err) => reject(unavailable(err)));
            });
            const timer = setTimeout(
                () => {
                    req.destroy();
                    reject(timedOut(this.opts.endpointName));
                },
                Math.max(0, deadline - Date.now()),
            );
            req.on("close", () => clearTimeout(timer));
            req.on("error", (err) => reject(unavailable(err)));
            req.end(body);
        });
    }
}

/**
 * The production variant that serves an invocation: the one `pinned` names, else one drawn by weight (a
 * variant's share is its weight over the sum, "ProductionVariant", SageMaker API Reference). A pinned
 * variant of weight 0 is served, as targeted routing overrides the weights (an assumption: AWS does not
 * say). An unknown name, or the shadow's, is a ValidationError 400: the shape follows the API model
 * ("InvokeEndpoint" errors); AWS does not document the message, so this one is the twin's own.
 */
export function chooseVariant(
    variants: readonly RuntimeVariant[],
    pinned: string | undefined,
    random: () => number,
    shadow?: string,
): RuntimeVariant {
    if (pinned !== undefined) {
        const found = variants.find((v) => v.name === pinned);
        if (found) return found;
        const why = pinned === shadow ? "is the shadow variant, which answers no caller" : "is not a production variant of the endpoint";
        throw RuntimeError.of(
            "ValidationError",
            400,
            `TargetVariant ${pinned} ${why}; production variants: ${variants.map((v) => v.name).join(", ")}.`,
        );
    }
    const total = variants.reduce((sum, v) => sum + v.weight, 0);
    let point = random() * total;
    for (const v of variants) {
        if (v.weight <= 0) continue;
        if (point < v.weight) return v;
        point -= v.weight;
    }
    // Rounding at the very top of the range: the last variant that takes traffic.
    return [...variants].reverse().find((v) => v.weight > 0) ?? variants[0];
}

/** A container answer of 4xx/5xx, as SageMaker reports it: status 424 and the original status inside. */
function modelError(endpointName: string, originalStatus: number, originalMessage: string): RuntimeError {
    return new RuntimeError(modelErrorReply(endpointName, originalStatus, originalMessage));
}

/** What SageMaker answers when the container takes longer than 60 seconds: a ModelError with status 0. */
function timedOut(endpointName: string): RuntimeError {
    return modelError(
        endpointName,
        0,
        "Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.",
    );
}

function unavailable(err: Error): RuntimeError {
    return RuntimeError.of(
        "ServiceUnavailable",
        503,
        `The model container is not answering (${(err as NodeJS.ErrnoException).code ?? err.message}); try again.`,
    );
}

function sendError(res: http.ServerResponse, err: RuntimeError): void {
    const body = Buffer.from(err.reply.body);
    res.writeHead(err.reply.status, { ...err.reply.headers, "Content-Length": body.length, "x-amzn-RequestId": randomUUID() });
    res.end(body);
}
