/**
 * How a shadow variant's answers compare with production's, over the requests copied to it: what a data
 * scientist checks before promoting a model. Pure bookkeeping; the copying is in shadow-mirror.ts.
 */

/** One variant's answer to a request, as the runtime saw it. */
export interface Observed {
    /** The container's HTTP status; 0 when it did not answer (timeout, refused connection). */
    status: number;
    body: Buffer;
    latencyMs: number;
    /** Why there is no answer, when there is none. */
    error?: string;
}

export interface ShadowSummary {
    shadow: string;
    production: string;
    /** Copies the shadow answered or failed on. */
    mirrored: number;
    /** Copies not sent because the shadow was too far behind. */
    dropped: number;
    /** Copies whose production answer succeeded: the ones compared. */
    compared: number;
    /** Of those, answers byte for byte the same. */
    identical: number;
    /** Rows (prediction entries, or CSV lines) compared, and how many agreed. */
    rows: number;
    rowsAgreeing: number;
    /** Largest absolute difference between numbers at the same place in agreeing-shape rows; null when none were numeric. */
    maxNumericDifference: number | null;
    /** Shadow answers that were errors (status 400 or more) or none at all. */
    shadowErrors: number;
    /** Milliseconds, nearest-rank percentiles; null before the first copy. */
    productionLatencyMs: { p50: number | null; p99: number | null };
    shadowLatencyMs: { p50: number | null; p99: number | null };
}

/** Latencies kept for percentiles; older ones are forgotten so a long run's memory stays bounded. */
const MAX_LATENCIES = 10_000;

export class ShadowComparison {
    private mirrored = 0;
    private dropped = 0;
    private compared = 0;
    private identical = 0;
    private rows = 0;
    private rowsAgreeing = 0;
    private maxDiff: number | null = null;
    private shadowErrors = 0;
    private readonly productionLatencies: number[] = [];
    private readonly shadowLatencies: number[] = [];

    constructor(
        readonly shadow: string,
        readonly production: string,
    ) {}

    /** A copy that was not sent: the shadow's queue was full. */
    recordDrop(): void {
        this.dropped++;
    }

    /** The production answer a copy was made of, and the shadow's answer to the copy. */
    record(production: Observed, shadow: Observed): void {
        this.mirrored++;
        keep(this.productionLatencies, production.latencyMs);
        keep(this.shadowLatencies, shadow.latencyMs);
        const shadowOk = shadow.status >= 200 && shadow.status < 300 && shadow.error === undefined;
        if (!shadowOk) this.shadowErrors++;
        // A failed production answer has nothing to be compared with.
        if (production.status < 200 || production.status >= 300) return;
        this.compared++;
        if (!shadowOk) return;
        if (production.body.equals(shadow.body)) this.identical++;
        const a = rowsOf(production.body);
        const b = rowsOf(shadow.body);
        this.rows += Math.max(a.length, b.length);
        for (let i = 0; i < Math.min(a.length, b.length); i++) {
            if (JSON.stringify(a[i]) === JSON.stringify(b[i])) this.rowsAgreeing++;
            const diff = numericDifference(a[i], b[i]);
            if (diff !== undefined) this.maxDiff = Math.max(this.maxDiff ?? 0, diff);
        }
    }

    get count(): number {
        return this.mirrored;
    }

    summary(): ShadowSummary {
        return {
            shadow: this.shadow,
            production: this.production,
            mirrored: this.mirrored,
            dropped: this.dropped,
            compared: this.compared,
            identical: this.identical,
            rows: this.rows,
            rowsAgreeing: this.rowsAgreeing,
            maxNumericDifference: this.maxDiff,
            shadowErrors: this.shadowErrors,
            productionLatencyMs: percentiles(this.productionLatencies),
            shadowLatencyMs: percentiles(this.shadowLatencies),
        };
    }
}

/** One line for a person: counts, agreement, errors and both latencies. */
export function describeSummary(s: ShadowSummary): string {
    const share = (part: number, whole: number) => (whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)} % (${part}/${whole})`);
    const ms = (v: number | null) => (v === null ? "n/a" : v.toFixed(1));
    return (
        `shadow ${s.shadow} vs ${s.production}: ${s.mirrored} mirrored, ${s.dropped} dropped; ` +
        `identical answers ${share(s.identical, s.compared)}, rows agreeing ${share(s.rowsAgreeing, s.rows)}, ` +
        `largest numeric difference ${s.maxNumericDifference ?? "n/a"}; shadow errors ${s.shadowErrors}; ` +
        `latency p50/p99 ${s.production} ${ms(s.productionLatencyMs.p50)}/${ms(s.productionLatencyMs.p99)} ms, ` +
        `${s.shadow} ${ms(s.shadowLatencyMs.p50)}/${ms(s.shadowLatencyMs.p99)} ms`
    );
}

/**
 * The rows of an answer: a JSON list's entries (or those of its `predictions`), else the non-empty lines
 * of a text answer (CSV), each line's comma-separated fields as numbers when they all are. Binary answers
 * (NPY) are compared whole only.
 */
export function rowsOf(body: Buffer): unknown[] {
    const text = body.toString("utf8");
    try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed;
        const predictions = (parsed as { predictions?: unknown } | null)?.predictions;
        if (Array.isArray(predictions)) return predictions;
        return [parsed];
    } catch {
        // Not JSON: lines of text.
    }
    if (text.includes("\uFFFD")) return [];
    return text
        .split(/\r?\n/)
        .filter((line) => line.trim() !== "")
        .map((line) => {
            const fields = line.split(",").map((f) => f.trim());
            const numbers = fields.map(Number);
            return fields.every((f) => f !== "") && numbers.every(Number.isFinite) ? (numbers.length === 1 ? numbers[0] : numbers) : line;
        });
}

/** The largest |a - b| over the numbers of two rows of the same shape; undefined when they are not both numeric. */
export function numericDifference(a: unknown, b: unknown): number | undefined {
    const x = numbers(a);
    const y = numbers(b);
    if (x === undefined || y === undefined || x.length !== y.length || x.length === 0) return undefined;
    return Math.max(...x.map((v, i) => Math.abs(v - y[i])));
}

function numbers(value: unknown): number[] | undefined {
    if (typeof value === "number") return [value];
    if (!Array.isArray(value)) return undefined;
    const out: number[] = [];
    for (const item of value) {
        const inner = numbers(item);
        if (inner === undefined) return undefined;
        out.push(...inner);
    }
    return out;
}

/** Nearest-rank percentiles. */
export function percentiles(values: readonly number[]): { p50: number | null; p99: number | null } {
    if (values.length === 0) return { p50: null, p99: null };
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
    return { p50: at(50), p99: at(99) };
}

function keep(list: number[], value: number): void {
    list.push(value);
    if (list.length > MAX_LATENCIES) list.shift();
}
