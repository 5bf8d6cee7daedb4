/**
 * InvokeEndpointAsync on the local SageMaker Runtime, as the service does it: the request is validated
 * and queued at once (202 `{"InferenceId"}`, `X-Amzn-SageMaker-OutputLocation` and `-FailureLocation`
 * headers), then a worker reads the input from S3 (or takes the inline body), calls the container's
 * `/invocations`, and writes the container's answer to the output location or its error body, verbatim,
 * to the failure location ("InvokeEndpointAsync", SageMaker Runtime API Reference; "Check prediction
 * results", SageMaker Developer Guide). The wire names are those of @aws-sdk/client-sagemaker-runtime.
 */
import { randomUUID } from "crypto";
import * as http from "http";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "stream";
import { ASYNC_INLINE_BODY_BYTES, ASYNC_INVOKE_HEADERS, ASYNC_PREFIXES, HEADERS } from "../contract";
import { header, readBody } from "./http";

/** `RequestTTLSeconds`: 60..21600, default 21600; `InvocationTimeoutSeconds`: 1..3600, default 900 (SDK model). */
const TTL = { min: 60, max: 21_600, default: 21_600 };
const TIMEOUT = { min: 1, max: 3_600, default: 900 };
/** `InferenceId`: 1..64 printable characters, the first not a space (SDK model, `^\A\S[\p{Print}]*\z$`). */
const INFERENCE_ID = /^\S[\x20-\x7E]{0,63}$/;
const INPUT_LOCATION = /^(https|s3):\/\/([^/]+)\/?(.*)$/;

export interface AsyncOptions {
    /** The S3 server and the bucket the endpoint's output config names. */
    s3: { url: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };
    /** `MaxConcurrentInvocationsPerInstance`: requests the container works on at once. */
    maxConcurrent: number;
    /** Requests waiting beyond this are refused with ServiceUnavailable rather than held without end. */
    maxQueued: number;
}

/** Why a request is refused before it is queued: the wire error the SDK reads as ValidationError etc. */
export class AsyncRefusal extends Error {
    constructor(
        readonly type: "ValidationError" | "ServiceUnavailable",
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

interface Job {
    inferenceId: string;
    contentType?: string;
    accept?: string;
    customAttributes?: string;
    body?: Buffer;
    input?: { bucket: string; key: string };
    output: { bucket: string; key: string };
    failure: { bucket: string; key: string };
    queuedAt: number;
    ttlMs: number;
    timeoutMs: number;
}

/** What the container answered, or why it did not. */
type Outcome = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

export class AsyncInvocations {
    private readonly queue: Job[] = [];
    private running = 0;
    private readonly s3: S3Client;
    private closed = false;

    constructor(
        private readonly opts: AsyncOptions,
        private readonly containerUrl: string,
        private readonly log: (line: string) => void,
    ) {
        this.s3 = new S3Client({
            endpoint: opts.s3.url,
            region: opts.s3.region,
            forcePathStyle: true,
            credentials: { accessKeyId: opts.s3.accessKeyId, secretAccessKey: opts.s3.secretAccessKey },
            requestChecksumCalculation: "WHEN_REQUIRED",
            responseChecksumValidation: "WHEN_REQUIRED",
        });
    }

    /** Validates and queues one InvokeEndpointAsync; answers as the service does. */
    async accept(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const { body, size } = await readBody(req, ASYNC_INLINE_BODY_BYTES);
        if (body === undefined) {
            throw new AsyncRefusal(
                "ValidationError",
                400,
                `Body of ${size} bytes exceeds the ${ASYNC_INLINE_BODY_BYTES} byte limit; use InputLocation.`,
            );
        }
        const location = header(req, ASYNC_INVOKE_HEADERS.inputLocation);
        if ((location === undefined) === (body.length === 0)) {
            throw new AsyncRefusal("ValidationError", 400, "Body and InputLocation are mutually exclusive. Provide exactly one of them.");
        }
        let input: Job["input"];
        if (location !== undefined) {
            const m = INPUT_LOCATION.exec(location);
            if (!m || m[1] !== "s3" || m[3] === "" || location.length > 1024) {
                throw new AsyncRefusal("ValidationError", 400, `InputLocation ${JSON.stringify(location)} is not an s3:// object URI.`);
            }
            input = { bucket: m[2], key: m[3] };
        }
        const inferenceId = header(req, ASYNC_INVOKE_HEADERS.inferenceId) ?? randomUUID();
        if (!INFERENCE_ID.test(inferenceId)) {
            throw new AsyncRefusal("ValidationError", 400, "InferenceId must be 1 to 64 printable characters, the first not a space.");
        }
        const ttl = seconds(header(req, ASYNC_INVOKE_HEADERS.requestTtlSeconds), TTL, "RequestTTLSeconds");
        const timeout = seconds(header(req, ASYNC_INVOKE_HEADERS.invocationTimeoutSeconds), TIMEOUT, "InvocationTimeoutSeconds");
        if (this.queue.length >= this.opts.maxQueued) {
            throw new AsyncRefusal("ServiceUnavailable", 503, `The endpoint's queue holds ${this.queue.length} requests; try again later.`);
        }
        // Object names are SageMaker's own, not the InferenceId (a recorded real answer: `<uuid>.out`, `<uuid>-error.out`).
        const object = randomUUID();
        const bucket = this.opts.s3.bucket;
        const job: Job = {
            inferenceId,
            contentType: header(req, ASYNC_INVOKE_HEADERS.contentType),
            accept: header(req, ASYNC_INVOKE_HEADERS.accept),
            customAttributes: header(req, HEADERS.customAttributes),
            body: input ? undefined : body,
            input,
            output: { bucket, key: `${ASYNC_PREFIXES.outputs}${object}.out` },
            failure: { bucket, key: `${ASYNC_PREFIXES.failures}${object}-error.out` },
            queuedAt: Date.now(),
            ttlMs: ttl * 1000,
            timeoutMs: timeout * 1000,
        };
        this.queue.push(job);
        const answer = Buffer.from(JSON.stringify({ InferenceId: inferenceId }));
        res.writeHead(202, {
            "Content-Type": "application/json",
            "Content-Length": answer.length,
            [ASYNC_INVOKE_HEADERS.outputLocation]: `s3://${bucket}/${job.output.key}`,
            [ASYNC_INVOKE_HEADERS.failureLocation]: `s3://${bucket}/${job.failure.key}`,
            "x-amzn-RequestId": randomUUID(),
        });
        res.end(answer);
        this.pump();
    }

    /** Requests still waiting or running. */
    get backlog(): number {
        return this.queue.length + this.running;
    }

    close(): void {
        this.closed = true;
        this.queue.length = 0;
        this.s3.destroy();
    }

    private pump(): void {
        while (!this.closed && this.running < this.opts.maxConcurrent && this.queue.length > 0) {
            const job = this.queue.shift()!;
            this.running++;
            this.process(job)
                .catch((err) => this.log(`async ${job.inferenceId}: ${(err as Error).message}`))
                .finally(() => {
                    this.running--;
                    this.pump();
                });
        }
    }

    private async process(job: Job): Promise<void> {
        const started = Date.now();
        if (started - job.queuedAt > job.ttlMs) {
            // Counted as ExpiredRequests by SageMaker; whether it writes a failure object is not documented.
            this.log(`InvokeEndpointAsync ${job.inferenceId} expired after ${started - job.queuedAt} ms in the queue`);
            return;
        }
        let outcome: Outcome;
        try {
            outcome = await this.invoke(job);
        } catch (err) {
            const message = `Inference failed: ${(err as Error).message}`;
            outcome = { status: 500, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ message })) };
        }
        if (this.closed) return;
        const ok = outcome.status < 400;
        const target = ok ? job.output : job.failure;
        await this.s3.send(
            new PutObjectCommand({
                Bucket: target.bucket,
                Key: target.key,
                Body: outcome.body,
                ContentType: outcome.headers["content-type"] ?? "application/octet-stream",
            }),
        );
        this.log(
            `InvokeEndpointAsync ${job.inferenceId} → ${ok ? "output" : "failure"} (container ${outcome.status}) in ${Date.now() - started} ms`,
        );
    }

    /** The container's answer to the job's input, streamed from S3 when it is there. */
    private async invoke(job: Job): Promise<Outcome> {
        let body: Readable | Buffer;
        let length: number;
        if (job.input) {
            const object = await this.s3.send(new GetObjectCommand({ Bucket: job.input.bucket, Key: job.input.key }));
            body = object.Body as Readable;
            length = object.ContentLength ?? 0;
        } else {
            body = job.body!;
            length = job.body!.length;
        }
        const headers: http.OutgoingHttpHeaders = { "Content-Length": length, Accept: job.accept ?? "*/*" };
        if (job.contentType !== undefined) headers["Content-Type"] = job.contentType;
        if (job.customAttributes !== undefined) headers[HEADERS.customAttributes] = job.customAttributes;
        const url = new URL("/invocations", this.containerUrl);
        return new Promise<Outcome>((resolve, reject) => {
            const req = http.request(url, { method: "POST", headers }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
                res.on("error", reject);
            });
            const timer = setTimeout(() => {
                req.destroy(new Error(`the model did not answer within InvocationTimeoutSeconds (${job.timeoutMs / 1000} s)`));
            }, job.timeoutMs);
            req.on("close", () => clearTimeout(timer));
            req.on("error", reject);
            if (Buffer.isBuffer(body)) req.end(body);
            else body.on("error", (err) => req.destroy(err)).pipe(req);
        });
    }
}

function seconds(raw: string | undefined, range: { min: number; max: number; default: number }, name: string): number {
    if (raw === undefined) return range.default;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
        throw new AsyncRefusal("ValidationError", 400, `${name} must be a whole number from ${range.min} to ${range.max}.`);
    }
    return value;
}
