/**
 * The local runtime against the real AWS SDK client, with a tiny stand-in for the serving
 * container: what is under test here is the wire protocol, not the model server (the end-to-end
 * tests run the real one).
 */
import { InvokeEndpointCommand, type InvokeEndpointCommandOutput, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { packModel } from "../../core/archive/pack";
import { chooseVariant, LocalRuntime, type RuntimeOptions, type RuntimeVariant } from "../../local/runtime";
import { ShadowMirror } from "../../local/shadow-mirror";
import { runtimeClient } from "./support";

interface Seen {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** A stand-in container whose answer each test sets. */
class StandIn {
    seen: Seen[] = [];
    answer: (seen: Seen, res: http.ServerResponse) => void = (_s, res) => res.end("{}");
    private server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
            this.seen.push(seen);
            this.answer(seen, res);
        });
    });
    async start(): Promise<string> {
        await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }
    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((r) => this.server.close(() => r()));
    }
}

async function invokeError(
    c: SageMakerRuntimeClient,
    input: Partial<ConstructorParameters<typeof InvokeEndpointCommand>[0]>,
): Promise<Record<string, any>> {
    try {
        await c.send(
            new InvokeEndpointCommand({ EndpointName: "ep", Body: Buffer.from("[1]"), ContentType: "application/json", ...input }),
        );
    } catch (err) {
        return err as Record<string, any>;
    }
    throw new Error("InvokeEndpoint succeeded, an error was expected");
}

describe("local twin: SageMaker runtime wire protocol", () => {
    let standIn: StandIn;
    let runtime: LocalRuntime;
    let sdk: SageMakerRuntimeClient;
    let runtimeUrl: string;
    let tmp: string;
    const logs: string[] = [];

    async function start(opts: Partial<RuntimeOptions> = {}): Promise<void> {
        const url = await standIn.start();
        runtime = new LocalRuntime({
            endpointName: "ep",
            container: { url: opts.container?.url ?? url, modelUrl: (dir) => dir },
            log: (line) => logs.push(line),
            ...opts,
        });
        runtimeUrl = await runtime.listen(0);
        sdk = runtimeClient(runtimeUrl);
    }

    beforeEach(() => {
        standIn = new StandIn();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-runtime-"));
    });
    afterEach(async () => {
        sdk?.destroy();
        await runtime?.close();
        await standIn.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("forwards body, Content-Type, Accept and custom attributes to /invocations and returns the container's answer", async () => {
        await start();
        standIn.answer = (_s, res) => {
            res.writeHead(200, { "Content-Type": "text/csv", "X-Amzn-SageMaker-Custom-Attributes": "out=1" });
            res.end("0\n2\n");
        };
        const out = await sdk.send(
            new InvokeEndpointCommand({
                EndpointName: "ep",
                Body: Buffer.from("1,2\n3,4\n"),
                ContentType: "text/csv",
                Accept: "text/csv",
                CustomAttributes: "in=1",
            }),
        );
        assert.equal(Buffer.from(out.Body!).toString(), "0\n2\n");
        assert.equal(out.ContentType, "text/csv");
        assert.equal(out.InvokedProductionVariant, "AllTraffic");
        assert.equal(out.CustomAttributes, "out=1");
        const seen = standIn.seen[0];
        assert.equal(seen.url, "/invocations");
        assert.equal(seen.body, "1,2\n3,4\n");
        assert.equal(seen.headers["content-type"], "text/csv");
        assert.equal(seen.headers.accept, "text/csv");
        assert.equal(seen.headers["x-amzn-sagemaker-custom-attributes"], "in=1");
    });

    it("a wrong endpoint name is SageMaker's ValidationError and never reaches the container", async () => {
        await start();
        const err = await invokeError(sdk, { EndpointName: "other" });
        assert.equal(err.name, "ValidationError");
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.match(err.message, /Endpoint other of account \d{12} not found/);
        assert.equal(standIn.seen.length, 0);
    });

    it("a container 4xx is a ModelError (424) carrying the original status and message", async () => {
        await start();
        standIn.answer = (_s, res) => {
            res.writeHead(400, { "Content-Type": "application/json" });
            res.end('{"error": {"message": "bad row"}}');
        };
        const err = await invokeError(sdk, {});
        assert.equal(err.name, "ModelError");
        assert.equal(err.$metadata.httpStatusCode, 424);
        assert.equal(err.OriginalStatusCode, 400);
        assert.equal(err.OriginalMessage, '{"error": {"message": "bad row"}}');
        assert.match(err.LogStreamArn, /^arn:aws:logs:.*\/aws\/sagemaker\/Endpoints\/ep$/);
        assert.match(err.message, /^Received client error \(400\) from primary/);
        // The field SageMaker sends beside the modelled ones, which the SDK puts on the error too.
        assert.equal(err.ErrorCode, "CLIENT_ERROR_FROM_MODEL");
    });

    it("passes Content-Type on only when the caller sent one, as boto3 and the AWS CLI send none without ContentType", async () => {
        await start();
        const url = `${runtimeUrl}/endpoints/ep/invocations`;
        const res = await fetch(url, { method: "POST", body: Buffer.from('{"instances": [[1]]}') });
        assert.equal(res.status, 200, await res.text());
        assert.equal(standIn.seen[0].headers["content-type"], undefined);
        assert.equal(standIn.seen[0].body, '{"instances": [[1]]}');
    });

    it("a container 5xx is a ModelError reported as a server error", async () => {
        await start();
        standIn.answer = (_s, res) => {
            res.writeHead(500);
            res.end("boom");
        };
        const err = await invokeError(sdk, {});
        assert.equal(err.name, "ModelError");
        assert.equal(err.OriginalStatusCode, 500);
        assert.match(err.message, /^Received server error \(500\)/);
    });

    it("a container that does not answer is ServiceUnavailable", async () => {
        const closed = http.createServer();
        await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
        const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
        await new Promise<void>((r) => closed.close(() => r()));
        await start({ container: { url: deadUrl, modelUrl: (d) => d } });
        const err = await invokeError(sdk, {});
        assert.equal(err.name, "ServiceUnavailable");
        assert.equal(err.$metadata.httpStatusCode, 503);
    });

    it("an invocation slower than the timeout is SageMaker's ModelError with status 0", async () => {
        await start({ invocationTimeoutMs: 300 });
        standIn.answer = (_s, res) => setTimeout(() => res.end("late"), 2_000);
        const started = Date.now();
        const err = await invokeError(sdk, {});
        assert.equal(err.name, "ModelError");
        assert.equal(err.OriginalStatusCode, 0);
        assert.match(err.message, /timed out while waiting for a response from container/);
        assert.ok(Date.now() - started < 1_500, "the runtime must not wait for the late answer");
    });

    it("a single-model endpoint refuses TargetModel", async () => {
        await start();
        const err = await invokeError(sdk, { TargetModel: "a.tar.gz" });
        assert.equal(err.name, "ValidationError");
        assert.match(err.message, /not a multi-model endpoint/);
    });

    describe("multi-model", () => {
        function archiveOf(name: string): string {
            const dir = path.join(tmp, "src", name);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, "model.txt"), `I am ${name}`);
            return packModel(dir, path.join(tmp, "archives")).archivePath;
        }

        async function startMulti(names: string[], extra: Partial<RuntimeOptions> = {}): Promise<void> {
            await start({
                models: new Map(names.map((n) => [`${n}.tar.gz`, archiveOf(n)])),
                unpackRoot: path.join(tmp, "unpacked"),
                ...extra,
            });
        }

        const invoke = (target: string) =>
            sdk.send(
                new InvokeEndpointCommand({
                    EndpointName: "ep",
                    TargetModel: target,
                    Body: Buffer.from("[1]"),
                    ContentType: "application/json",
                }),
            );

        it("loads a model from its unpacked archive on first use, once, then invokes it", async () => {
            await startMulti(["a", "b"]);
            standIn.answer = (seen, res) => {
                if (seen.url === "/models") {
                    const { model_name, url } = JSON.parse(seen.body);
                    // The stand-in reads the unpacked archive, as the real server would.
                    res.end(JSON.stringify({ loaded: model_name, content: fs.readFileSync(path.join(url, "model.txt"), "utf8") }));
                    return;
                }
                res.writeHead(200, { "Content-Type": "application/json" });
                res.end(JSON.stringify({ invoked: seen.url }));
            };
            const answers = await Promise.all([invoke("a.tar.gz"), invoke("a.tar.gz"), invoke("b.tar.gz")]);
            assert.deepEqual(
                answers.map((a) => JSON.parse(Buffer.from(a.Body!).toString()).invoked),
                ["/models/a/invoke", "/models/a/invoke", "/models/b/invoke"],
            );
            const loads = standIn.seen.filter((s) => s.url === "/models").map((s) => JSON.parse(s.body).model_name);
            assert.deepEqual(loads.sort(), ["a", "b"]);
            assert.equal(fs.readFileSync(path.join(tmp, "unpacked", "a", "model.txt"), "utf8"), "I am a");
        });

        it("treats 409 on load as already loaded", async () => {
            await startMulti(["a"]);
            standIn.answer = (seen, res) => {
                res.writeHead(seen.url === "/models" ? 409 : 200, { "Content-Type": "application/json" });
                res.end("{}");
            };
            await invoke("a.tar.gz");
            assert.deepEqual(
                standIn.seen.map((s) => s.url),
                ["/models", "/models/a/invoke"],
            );
        });

        it("an unknown TargetModel is a ValidationError and loads nothing", async () => {
            await startMulti(["a"]);
            const err = await invokeError(sdk, { TargetModel: "nope.tar.gz" });
            assert.equal(err.name, "ValidationError");
            assert.match(err.message, /nope\.tar\.gz/);
            assert.equal(standIn.seen.length, 0);
        });

        it("a 507 on load unloads the least recently used model and retries", async () => {
            await startMulti(["a", "b"]);
            let full = false;
            standIn.answer = (seen, res) => {
                if (seen.url === "/models" && JSON.parse(seen.body).model_name === "b" && !full) {
                    full = true;
                    res.writeHead(507);
                    res.end('{"message": "out of memory"}');
                    return;
                }
                res.end("{}");
            };
            await invoke("a.tar.gz");
            await invoke("b.tar.gz");
            assert.deepEqual(
                standIn.seen.map((s) => `${s.method} ${s.url}`),
                ["POST /models", "POST /models/a/invoke", "POST /models", "DELETE /models/a", "POST /models", "POST /models/b/invoke"],
            );
        });

        it("a model still loading when the invocation times out is ModelNotReadyException, and a later call finds it loaded", async () => {
            await startMulti(["a"], { invocationTimeoutMs: 300 });
            standIn.answer = (seen, res) => {
                if (seen.url === "/models") setTimeout(() => res.end("{}"), 600);
                else res.end("{}");
            };
            const err = await invokeError(sdk, { TargetModel: "a.tar.gz" });
            assert.equal(err.name, "ModelNotReadyException");
            assert.equal(err.$metadata.httpStatusCode, 429);
            await new Promise((r) => setTimeout(r, 500));
            await invoke("a.tar.gz");
            assert.equal(standIn.seen.filter((s) => s.url === "/models").length, 1);
        });

        it("an archive that cannot be unpacked is the model's failure to load, and nothing reaches the container", async () => {
            const bad = path.join(tmp, "bad.tar.gz");
            fs.writeFileSync(bad, "not gzip at all");
            await start({ models: new Map([["bad.tar.gz", bad]]), unpackRoot: path.join(tmp, "unpacked") });
            const err = await invokeError(sdk, { TargetModel: "bad.tar.gz" });
            assert.equal(err.name, "ModelError");
            assert.equal(err.OriginalStatusCode, 500);
            assert.match(err.OriginalMessage, /Failed to load model bad: .*gzip/);
            assert.equal(standIn.seen.length, 0);
        });

        it("a request without TargetModel is a ValidationError", async () => {
            await startMulti(["a"]);
            const err = await invokeError(sdk, {});
            assert.equal(err.name, "ValidationError");
            assert.match(err.message, /TargetModel is required/);
        });
    });
});

/** A small seeded generator (mulberry32), so weighted routing is tested on a known sequence. */
function seeded(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

describe("local twin: routing between production variants", () => {
    const target = (url: string) => ({ url, modelUrl: (dir: string) => dir });
    const variants = (weights: Record<string, number>): RuntimeVariant[] =>
        Object.entries(weights).map(([name, weight]) => ({ name, weight, container: target(`http://127.0.0.1:1/${name}`) }));

    it("splits by weight: 10,000 seeded draws at 90/10 give v2 a share within 5 standard deviations of 10 %", () => {
        const random = seeded(21);
        const n = 10_000;
        let v2 = 0;
        for (let i = 0; i < n; i++) if (chooseVariant(variants({ v1: 90, v2: 10 }), undefined, random).name === "v2") v2++;
        const sigma = Math.sqrt(n * 0.1 * 0.9);
        assert.ok(Math.abs(v2 - n * 0.1) < 5 * sigma, `v2 got ${v2} of ${n}`);
    });

    it("never sends unpinned traffic to a variant of weight 0, and serves it when pinned", () => {
        const random = seeded(7);
        const set = variants({ v1: 1, v0: 0 });
        for (let i = 0; i < 1000; i++) assert.equal(chooseVariant(set, undefined, random).name, "v1");
        assert.equal(chooseVariant(set, "v0", random).name, "v0");
        assert.equal(chooseVariant(variants({ v1: 1, v2: 1 }), "v2", () => 0).name, "v2");
    });

    it("refuses an unknown or shadow TargetVariant as ValidationError 400 naming the production variants", () => {
        const set = variants({ v1: 9, v2: 1 });
        for (const [pinned, why] of [
            ["v9", /not a production variant/],
            ["v3", /is the shadow variant/],
        ] as const) {
            try {
                chooseVariant(set, pinned, Math.random, "v3");
                assert.fail("a variant was chosen");
            } catch (err) {
                const reply = (err as { reply: { status: number; headers: Record<string, string>; body: string } }).reply;
                assert.equal(reply.status, 400);
                assert.match(reply.headers["x-amzn-ErrorType"], /^ValidationError:/);
                assert.match(JSON.parse(reply.body).message, why);
                assert.match(JSON.parse(reply.body).message, /production variants: v1, v2/);
            }
        }
    });

    describe("over the wire", () => {
        const standIns: StandIn[] = [];
        let runtime: LocalRuntime | undefined;
        let sdk: SageMakerRuntimeClient | undefined;
        afterEach(async () => {
            sdk?.destroy();
            await runtime?.close();
            for (const s of standIns.splice(0)) await s.stop();
        });

        async function standIn(answer: string): Promise<{ server: StandIn; url: string }> {
            const server = new StandIn();
            server.answer = (_seen, res) => {
                res.writeHead(200, { "Content-Type": "application/json" });
                res.end(answer);
            };
            standIns.push(server);
            return { server, url: await server.start() };
        }

        /**
         * A runtime whose one production variant v1 is `productionUrl`, every request mirrored to the shadow v3 at
         * `shadowUrl`. Returns the mirror, whose summary the test reads, and the runtime's client.
         */
        async function shadowed(
            productionUrl: string,
            shadowUrl: string,
        ): Promise<{ mirror: ShadowMirror; caller: SageMakerRuntimeClient }> {
            const mirror = new ShadowMirror({
                shadow: "v3",
                production: "v1",
                url: shadowUrl,
                percent: 100,
                random: () => 0,
                report: () => undefined,
            });
            runtime = new LocalRuntime({
                endpointName: "ep",
                container: target(productionUrl),
                variants: [{ name: "v1", weight: 1, container: target(productionUrl) }],
                shadow: mirror,
            });
            sdk = runtimeClient(await runtime.listen(0));
            return { mirror, caller: sdk };
        }

        it("sends a pinned request to that variant only, and names the answering variant as x-Amzn-Invoked-Production-Variant", async () => {
            const a = await standIn('{"from":"v1"}');
            const b = await standIn('{"from":"v2"}');
            runtime = new LocalRuntime({
                endpointName: "ep",
                container: target(a.url),
                variants: [
                    { name: "v1", weight: 1, container: target(a.url) },
                    { name: "v2", weight: 1, container: target(b.url) },
                ],
            });
            sdk = runtimeClient(await runtime.listen(0));
            for (let i = 0; i < 5; i++) {
                const out: InvokeEndpointCommandOutput = await sdk.send(
                    new InvokeEndpointCommand({
                        EndpointName: "ep",
                        Body: Buffer.from("[1]"),
                        ContentType: "application/json",
                        TargetVariant: "v2",
                    }),
                );
                assert.equal(out.InvokedProductionVariant, "v2");
                assert.equal(Buffer.from(out.Body!).toString(), '{"from":"v2"}');
            }
            assert.deepEqual([a.server.seen.length, b.server.seen.length], [0, 5]);
            const refused = await invokeError(sdk, { TargetVariant: "v9" });
            assert.equal(refused.name, "ValidationError");
            assert.equal(refused.$metadata.httpStatusCode, 400);
            assert.deepEqual([a.server.seen.length, b.server.seen.length], [0, 5]);
        });

        it("answers the caller while the shadow has not answered yet, then compares the shadow's answer", async () => {
            const production = await standIn('{"predictions":[1,2]}');
            let release: () => void = () => undefined;
            const shadowServer = new StandIn();
            shadowServer.answer = (_seen, res) => {
                release = () => {
                    res.writeHead(200, { "Content-Type": "application/json" });
                    res.end('{"predictions":[1,3]}');
                };
            };
            standIns.push(shadowServer);
            const { mirror, caller } = await shadowed(production.url, await shadowServer.start());
            const out = await caller.send(
                new InvokeEndpointCommand({ EndpointName: "ep", Body: Buffer.from("[[1]]"), ContentType: "application/json" }),
            );
            assert.equal(Buffer.from(out.Body!).toString(), '{"predictions":[1,2]}');
            // The caller has its answer; the shadow holds its own.
            for (let i = 0; i < 50 && shadowServer.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
            assert.equal(shadowServer.seen.length, 1);
            assert.equal(shadowServer.seen[0].body, "[[1]]");
            assert.equal(mirror.comparison.count, 0);
            release();
            const summary = await mirror.close(5_000);
            assert.deepEqual(
                [summary.mirrored, summary.identical, summary.rows, summary.rowsAgreeing, summary.maxNumericDifference],
                [1, 0, 2, 1, 1],
            );
        });

        it("a shadow that refuses connections changes nothing for the caller and counts as shadow errors", async () => {
            const production = await standIn('{"predictions":[1]}');
            const { mirror, caller } = await shadowed(production.url, "http://127.0.0.1:1");
            for (let i = 0; i < 3; i++) {
                const out: InvokeEndpointCommandOutput = await caller.send(
                    new InvokeEndpointCommand({ EndpointName: "ep", Body: Buffer.from("[[1]]"), ContentType: "application/json" }),
                );
                assert.equal(Buffer.from(out.Body!).toString(), '{"predictions":[1]}');
            }
            const summary = await mirror.close(5_000);
            assert.deepEqual([summary.mirrored, summary.shadowErrors, summary.identical, summary.compared], [3, 3, 0, 3]);
        });
    });
});
