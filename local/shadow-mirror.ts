/**
 * A shadow variant's copies of production traffic. The runtime offers each request after its production
 * answer has been sent; this sends a sampled share of them to the shadow's server with a bounded queue and
 * a timeout of its own, so a slow or failing shadow never delays, changes or fails a caller's answer. On
 * AWS the shadow's answers are "logged for comparison and not returned to the caller" ("Shadow tests",
 * SageMaker Developer Guide); here they feed the comparison of shadow-compare.ts.
 */
import * as http from "http";
import { SAGEMAKER_MAX_PAYLOAD_BYTES } from "../contract";
import { describeSummary, type Observed, ShadowComparison, type ShadowSummary } from "./shadow-compare";

export interface ShadowMirrorOptions {
    shadow: string;
    production: string;
    /** The shadow's model server, e.g. http://127.0.0.1:8124. */
    url: string;
    /** Share of offered requests copied, 1 to 100. */
    percent: number;
    random: () => number;
    /** Copies waiting beyond this many, or beyond `maxQueueBytes` of bodies, are dropped (and counted). */
    maxQueue?: number;
    maxQueueBytes?: number;
    /** Copies in flight at once. */
    concurrency?: number;
    /** A shadow answer slower than this counts as a shadow error. */
    timeoutMs?: number;
    /** A live report line every this many copies... */
    reportEvery?: number;
    /** ...and at most this long apart while copies come in. */
    reportIntervalMs?: number;
    report: (line: string) => void;
}

interface Copy {
    body: Buffer;
    headers: http.OutgoingHttpHeaders;
    production: Observed;
}

export const DEFAULT_MAX_QUEUE = 100;
/** Ten of the largest bodies InvokeEndpoint takes (6 MB): the twin's memory stays bounded however far the shadow falls behind. */
export const DEFAULT_MAX_QUEUE_BYTES = 10 * SAGEMAKER_MAX_PAYLOAD_BYTES.realtime;
const DEFAULT_CONCURRENCY = 2;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_REPORT_EVERY = 100;
const DEFAULT_REPORT_INTERVAL_MS = 5_000;

export class ShadowMirror {
    readonly comparison: ShadowComparison;
    private readonly queue: Copy[] = [];
    private queuedBytes = 0;
    private inFlight = 0;
    private idle: Array<() => void> = [];
    private lastReported = 0;
    private timer?: NodeJS.Timeout;
    private closed = false;

    constructor(private readonly opts: ShadowMirrorOptions) {
        this.comparison = new ShadowComparison(opts.shadow, opts.production);
    }

    /** A request the production variant answered, offered after its answer went out; returns at once. */
    offer(body: Buffer, headers: http.OutgoingHttpHeaders, production: Observed): void {
        if (this.closed || this.opts.random() * 100 >= this.opts.percent) return;
        const bytes = body.length + production.body.length;
        if (
            this.queue.length >= (this.opts.maxQueue ?? DEFAULT_MAX_QUEUE) ||
            this.queuedBytes + bytes > (this.opts.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES)
        ) {
            this.comparison.recordDrop();
            return;
        }
        this.queue.push({ body, headers, production });
        this.queuedBytes += bytes;
        this.timer ??= setInterval(() => this.reportIfNew(), this.opts.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS).unref();
        this.pump();
    }

    /** Waits (at most `timeoutMs`) for the copies under way, stops taking new ones, and returns the comparison. */
    async close(timeoutMs = 10_000): Promise<ShadowSummary> {
        this.closed = true;
        if (this.timer) clearInterval(this.timer);
        if (this.inFlight > 0 || this.queue.length > 0) {
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([
                new Promise<void>((resolve) => this.idle.push(resolve)),
                new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
            ]);
            clearTimeout(timer);
        }
        // Copies still waiting after the wait were never sent.
        const unsent = this.queue.splice(0).length;
        this.queuedBytes = 0;
        for (let i = 0; i < unsent; i++) this.comparison.recordDrop();
        return this.comparison.summary();
    }

    private pump(): void {
        while (this.inFlight < (this.opts.concurrency ?? DEFAULT_CONCURRENCY) && this.queue.length > 0) {
            const copy = this.queue.shift()!;
            this.queuedBytes -= copy.body.length + copy.production.body.length;
            this.inFlight++;
            void this.send(copy).then((answer) => {
                this.inFlight--;
                this.comparison.record(copy.production, answer);
                if (this.comparison.count % (this.opts.reportEvery ?? DEFAULT_REPORT_EVERY) === 0) this.reportIfNew();
                if (this.inFlight === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
                this.pump();
            });
        }
    }

    private reportIfNew(): void {
        const count = this.comparison.count;
        if (count === this.lastReported) return;
        this.lastReported = count;
        this.opts.report(describeSummary(this.comparison.summary()));
    }

    /** The shadow's answer; never rejects, a failure is an answer with status 0. */
    private send(copy: Copy): Promise<Observed> {
        const started = process.hrtime.bigint();
        const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
        return new Promise((resolve) => {
            const timer = setTimeout(
                () => req.destroy(new Error("the shadow did not answer in time")),
                this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            );
            const req = http.request(
                new URL("/invocations", this.opts.url),
                { method: "POST", headers: { ...copy.headers, "Content-Length": copy.body.length } },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), latencyMs: elapsed() }));
                    res.on("error", (err) => resolve({ status: 0, body: Buffer.alloc(0), latencyMs: elapsed(), error: err.message }));
                },
            );
            req.on("close", () => clearTimeout(timer));
            req.on("error", (err) => resolve({ status: 0, body: Buffer.alloc(0), latencyMs: elapsed(), error: err.message }));
            req.end(copy.body);
        });
    }
}
