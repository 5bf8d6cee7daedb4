/** The shadow's comparison with production (local/shadow-compare.ts): its numbers for answers whose agreement is known. */
import { strict as assert } from "assert";
import { describeSummary, numericDifference, type Observed, percentiles, rowsOf, ShadowComparison } from "../../local/shadow-compare";

const ok = (body: string, latencyMs = 1): Observed => ({ status: 200, body: Buffer.from(body), latencyMs });

describe("local twin: shadow comparison", () => {
    it("counts a shadow that disagrees on 3 requests of 10 as 70 % identical answers, row by row", () => {
        const c = new ShadowComparison("v2", "v1");
        for (let i = 0; i < 10; i++) {
            const production = JSON.stringify({ predictions: [i, i] });
            // Three answers differ in their second row only.
            const shadow = JSON.stringify({ predictions: [i, i < 3 ? i + 0.25 : i] });
            c.record(ok(production), ok(shadow));
        }
        const s = c.summary();
        assert.deepEqual(
            [s.mirrored, s.compared, s.identical, s.rows, s.rowsAgreeing, s.maxNumericDifference, s.shadowErrors],
            [10, 10, 7, 20, 17, 0.25, 0],
        );
        assert.match(
            describeSummary(s),
            /identical answers 70\.0 % \(7\/10\), rows agreeing 85\.0 % \(17\/20\), largest numeric difference 0\.25/,
        );
    });

    it("compares CSV answers line by line, with the largest numeric difference over the numbers of each line", () => {
        const c = new ShadowComparison("v2", "v1");
        c.record(ok("0.5,1\n2,3\n"), ok("0.5,1\n2,4.5\n"));
        const s = c.summary();
        assert.deepEqual([s.identical, s.rows, s.rowsAgreeing, s.maxNumericDifference], [0, 2, 1, 1.5]);
    });

    it("counts shadow failures as errors and as not identical, and leaves failed production answers out of the comparison", () => {
        const c = new ShadowComparison("v2", "v1");
        c.record(ok("[1]"), { status: 500, body: Buffer.from("boom"), latencyMs: 2 });
        c.record(ok("[1]"), { status: 0, body: Buffer.alloc(0), latencyMs: 60_000, error: "the shadow did not answer in time" });
        c.record({ status: 400, body: Buffer.from("bad row"), latencyMs: 1 }, ok("[1]"));
        c.record(ok("[1]"), ok("[1]"));
        c.recordDrop();
        const s = c.summary();
        assert.deepEqual([s.mirrored, s.dropped, s.compared, s.identical, s.shadowErrors, s.rows, s.rowsAgreeing], [4, 1, 3, 1, 2, 1, 1]);
    });

    it("reports nearest-rank p50 and p99 latencies of both variants", () => {
        const c = new ShadowComparison("v2", "v1");
        for (let i = 1; i <= 100; i++) c.record(ok("[0]", i), ok("[0]", 10 * i));
        const s = c.summary();
        assert.deepEqual(
            [s.productionLatencyMs, s.shadowLatencyMs],
            [
                { p50: 50, p99: 99 },
                { p50: 500, p99: 990 },
            ],
        );
        assert.deepEqual(percentiles([]), { p50: null, p99: null });
    });

    it("reads rows from a JSON list, a predictions object and text lines; numbers only where every field is one", () => {
        assert.deepEqual(rowsOf(Buffer.from("[[0.1, 0.9], [0.8, 0.2]]")), [
            [0.1, 0.9],
            [0.8, 0.2],
        ]);
        assert.deepEqual(rowsOf(Buffer.from('{"predictions": ["setosa", "virginica"]}')), ["setosa", "virginica"]);
        assert.deepEqual(rowsOf(Buffer.from("1\nsetosa,2\n\n")), [1, "setosa,2"]);
        assert.equal(numericDifference([1, 2], [1, 2.5]), 0.5);
        assert.equal(numericDifference([1, 2], [1]), undefined);
        assert.equal(numericDifference("setosa", "setosa"), undefined);
    });
});
