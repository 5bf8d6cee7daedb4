/**
 * The local twin with several versions of a model, end to end over HTTP: `local/main.ts` with --variant and
 * --shadow, the real Lambda handler, the real AWS SDK, one real container server per variant, and two real
 * scikit-learn models that answer differently (test/local/support.ts: `iris`, and `reversed` on labels 2-y).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ShadowSummary } from "../../local/shadow-compare";
import { runNewman } from "./docs-checks";
import { type FittedModel, fitModel, post, type ReadyLine, TwinProcess } from "./support";

const KEY = "variants-test-key-0123456789";

interface VariantsReady extends ReadyLine {
    variantServerPids: Record<string, number>;
    openApi: string;
    postman: string;
}

/** Stops the twin and every model server it started, whatever happened in the test. */
async function stopAll(twin: TwinProcess | undefined, ready: VariantsReady | undefined): Promise<void> {
    if (!twin) return;
    await twin.kill(ready?.serverPid);
    for (const pid of Object.values(ready?.variantServerPids ?? {})) {
        try {
            process.kill(-pid, "SIGKILL");
        } catch {
            // already gone, as it should be
        }
    }
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

describe("local twin end to end: model versions", function () {
    this.timeout(240_000);
    let tmp: string;
    let v1: FittedModel;
    let v2: FittedModel;
    /** A row the two models answer differently, so each answer shows which model gave it. */
    let telling: number;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-variants-"));
        v1 = fitModel(path.join(tmp, "v1"), "iris");
        v2 = fitModel(path.join(tmp, "v2"), "reversed");
        telling = v1.predictions.findIndex((p, i) => p !== v2.predictions[i]);
        assert.ok(telling >= 0, "the two test models should disagree on some row");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const ask = (ready: ReadyLine, row: number[], headers: Record<string, string> = {}) =>
        post(`${ready.url}/predict`, JSON.stringify({ instances: [row] }), {
            "x-api-key": KEY,
            "Content-Type": "application/json",
            ...headers,
        });

    describe("two production variants weighted 90/10", () => {
        let twin: TwinProcess;
        let ready: VariantsReady;
        /** Caller latencies pinned to v1, for the shadow's comparison below. */
        const baseline: number[] = [];

        before(async () => {
            twin = new TwinProcess(["--port", "0", "--api-key", KEY, "--variant", `v1=${v1.dir}:90`, "--variant", `v2=${v2.dir}:10`]);
            ready = (await twin.ready()) as VariantsReady;
        });
        after(async () => stopAll(twin, ready));

        it("splits 1,000 requests within 5 standard deviations of 90/10 (v2: 100 ± 47), each answer from the variant it names", async () => {
            const n = 1000;
            const counts: Record<string, number> = {};
            let next = 0;
            const worker = async () => {
                while (next < n) {
                    next++;
                    const res = await ask(ready, v1.rows[telling]);
                    assert.equal(res.status, 200, res.text);
                    const variant = res.headers.get("x-modelapi-variant") ?? "none";
                    counts[variant] = (counts[variant] ?? 0) + 1;
                    const expected = { v1, v2 }[variant as "v1" | "v2"]?.predictions[telling];
                    assert.deepEqual(JSON.parse(res.text).predictions, [expected], `answer of ${variant}: ${res.text}`);
                }
            };
            await Promise.all([worker(), worker(), worker(), worker()]);
            assert.equal((counts.v1 ?? 0) + (counts.v2 ?? 0), n, JSON.stringify(counts));
            // Binomial(1000, 0.1): sigma = sqrt(1000 * 0.1 * 0.9) = 9.49; 5 sigma = 47.
            const sigma = Math.sqrt(n * 0.1 * 0.9);
            assert.ok(Math.abs((counts.v2 ?? 0) - n * 0.1) <= 5 * sigma, `v2 served ${counts.v2} of ${n}`);
        });

        it("answers a pinned request from the pinned variant only, whatever its weight", async () => {
            for (const name of ["v2", "v1"] as const) {
                for (let i = 0; i < 20; i++) {
                    const started = performance.now();
                    const res = await ask(ready, v1.rows[telling], { "X-ModelApi-Variant": name });
                    if (name === "v1") baseline.push(performance.now() - started);
                    assert.equal(res.status, 200, res.text);
                    assert.equal(res.headers.get("x-modelapi-variant"), name);
                    assert.deepEqual(JSON.parse(res.text).predictions, [{ v1, v2 }[name].predictions[telling]]);
                }
            }
        });

        it("refuses a variant it does not have with 400 naming the variants", async () => {
            const res = await ask(ready, v1.rows[0], { "X-ModelApi-Variant": "v9" });
            assert.equal(res.status, 400, res.text);
            const error = JSON.parse(res.text).error;
            assert.equal(error.code, "BadRequest");
            assert.match(error.message, /"v9".*"v1", "v2"/);
        });

        it("documents the pin header with its variants, and its Postman collection's pinned requests pass under newman", async () => {
            const doc = (await (await fetch(ready.openApi)).json()) as any;
            const pin = doc.paths["/predict"].post.parameters.find((p: any) => p.name === "x-modelapi-variant");
            assert.deepEqual(pin?.schema.enum, ["v1", "v2"]);
            const collection = (await (await fetch(ready.postman)).json()) as any;
            const summary = await runNewman(collection, { apiKey: KEY });
            assert.deepEqual(
                summary.run.failures.map((f: any) => `${f.source?.name}: ${f.error?.message}`),
                [],
            );
            const names = collection.item.flatMap((folder: any) => folder.item.map((i: any) => i.name));
            for (const name of [
                "JSON rows, asking version v1",
                "JSON rows, asking version v2",
                "400 BadRequest: a model version this API does not serve",
            ]) {
                assert.ok(names.includes(name), `no "${name}" request`);
            }
        });

        describe("and a shadow instead of v2", () => {
            let shadowTwin: TwinProcess;
            let shadowReady: VariantsReady;
            const rounds = 15;

            before(async () => {
                shadowTwin = new TwinProcess(["--port", "0", "--api-key", KEY, "--variant", `v1=${v1.dir}:1`, "--shadow", `v2=${v2.dir}`]);
                shadowReady = (await shadowTwin.ready()) as VariantsReady;
            });
            after(async () => stopAll(shadowTwin, shadowReady));

            it("keeps callers' median latency within 2x + 25 ms of the same model without a shadow, and answers from production only", async () => {
                const latencies: number[] = [];
                for (let round = 0; round < rounds; round++) {
                    for (const row of v1.rows) {
                        const started = performance.now();
                        const res = await ask(shadowReady, row);
                        latencies.push(performance.now() - started);
                        assert.equal(res.status, 200, res.text);
                        assert.equal(res.headers.get("x-modelapi-variant"), "v1");
                        assert.deepEqual(JSON.parse(res.text).predictions, [v1.predictions[v1.rows.indexOf(row)]]);
                    }
                }
                assert.ok(baseline.length > 0);
                assert.ok(
                    median(latencies) <= 2 * median(baseline) + 25,
                    `median with a shadow ${median(latencies).toFixed(1)} ms, without ${median(baseline).toFixed(1)} ms`,
                );
            });

            it("reports, live and at exit, every copy and the share of identical answers the two models' own predictions give", async () => {
                const n = rounds * v1.rows.length;
                const agreeing = v1.predictions.filter((p, i) => p === v2.predictions[i]).length * rounds;
                const largest = Math.max(...v1.predictions.map((p, i) => Math.abs(p - v2.predictions[i])));
                shadowTwin.child.kill("SIGINT");
                assert.equal((await shadowTwin.exit()).code, 0, shadowTwin.output());
                const line = /\[shadow\] summary (\{.*\})/.exec(shadowTwin.stderr)?.[1];
                assert.ok(line, `no shadow summary:\n${shadowTwin.output()}`);
                const summary = JSON.parse(line) as ShadowSummary;
                assert.deepEqual(
                    [summary.mirrored, summary.dropped, summary.compared, summary.identical, summary.rows, summary.rowsAgreeing],
                    [n, 0, n, agreeing, n, agreeing],
                );
                assert.equal(summary.maxNumericDifference, largest);
                assert.equal(summary.shadowErrors, 0);
                assert.ok(summary.productionLatencyMs.p50! > 0 && summary.shadowLatencyMs.p99! >= summary.shadowLatencyMs.p50!);
                // A live line came every 100 copies, before the stop.
                assert.match(shadowTwin.stderr, /\[shadow\] shadow v2 vs v1: 100 mirrored/);
                assert.match(shadowTwin.stderr, /\[shadow\] final: shadow v2 vs v1: \d+ mirrored/);
            });
        });
    });
});
