/** The shadow's copies (local/shadow-mirror.ts): sampled, bounded, and never waited for beyond their own limits. */
import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { ShadowMirror } from "../../local/shadow-mirror";

const production = { status: 200, body: Buffer.from("[1]"), latencyMs: 1 };

describe("local twin: shadow copies", () => {
    let server: http.Server;
    let url: string;
    let received = 0;
    const held: http.ServerResponse[] = [];

    beforeEach(async () => {
        received = 0;
        // A shadow that holds every answer until the test lets go.
        server = http.createServer((req, res) => {
            req.resume();
            req.on("end", () => {
                received++;
                held.push(res);
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
        for (const res of held.splice(0)) res.destroy();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
    });

    const mirror = (extra: Partial<ConstructorParameters<typeof ShadowMirror>[0]> = {}) =>
        new ShadowMirror({ shadow: "v2", production: "v1", url, percent: 100, random: () => 0, report: () => undefined, ...extra });

    it("drops and counts copies beyond its queue while the shadow is behind, and those still waiting at close", async () => {
        const m = mirror({ concurrency: 1, maxQueue: 2 });
        for (let i = 0; i < 5; i++) m.offer(Buffer.from("[[1]]"), {}, production);
        // One in flight, two waiting, two dropped at once.
        assert.equal(m.comparison.summary().dropped, 2);
        for (let i = 0; i < 50 && received === 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(received, 1);
        const summary = await m.close(100);
        assert.deepEqual([summary.mirrored, summary.dropped], [0, 4]);
    });

    it("drops copies whose bodies would take the queue over its byte limit", () => {
        const m = mirror({ concurrency: 1, maxQueueBytes: 100 });
        m.offer(Buffer.alloc(10), {}, production); // in flight
        m.offer(Buffer.alloc(60), {}, production); // waiting: 63 bytes
        m.offer(Buffer.alloc(60), {}, production); // would be 126
        assert.equal(m.comparison.summary().dropped, 1);
        void m.close(0);
    });

    it("copies the sampled share only: PERCENT against the random draw", () => {
        const draws = [0.05, 0.3, 0.29, 0.9];
        const m = mirror({ percent: 30, random: () => draws.shift()!, concurrency: 0 });
        for (let i = 0; i < 4; i++) m.offer(Buffer.from("[[1]]"), {}, production);
        // 0.05 and 0.29 are under 30 %: two copies wait (nothing is sent with concurrency 0).
        return m.close(0).then((summary) => assert.equal(summary.dropped, 2));
    });

    it("counts a shadow slower than its timeout as a shadow error", async () => {
        const m = mirror({ timeoutMs: 50 });
        m.offer(Buffer.from("[[1]]"), {}, production);
        const summary = await m.close(5_000);
        assert.deepEqual([summary.mirrored, summary.shadowErrors], [1, 1]);
    });
});
