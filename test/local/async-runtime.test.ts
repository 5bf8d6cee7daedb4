/**
 * An asynchronous twin end to end (`npm start -- --async MODEL`), over HTTP only: the gateway, the real
 * Lambda handler with the real SageMaker Runtime and S3 SDKs, the local runtime's InvokeEndpointAsync, a
 * real S3-compatible server (@20minutes/s3rver) and the real container server.
 */
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand } from "@aws-sdk/client-sagemaker-runtime";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runNewman } from "./docs-checks";
import { type FittedModel, fitModel, post, type ReadyLine, runtimeClient, TwinProcess } from "./support";

const KEY = "test-key-async-0123456789";
const csv = (rows: number[][]) => rows.map((r) => r.join(",")).join("\n") + "\n";
/** A first feature of 99 makes the test model take a few seconds, so a poll sees the request pending. */
const SLOW_ROW = [99, 3, 4, 1];

interface AsyncReady extends ReadyLine {
    s3: { url: string; bucket: string; uploads: string; outputs: string; failures: string };
}

/** The iris model, with a predict_fn that dawdles on the sentinel row. */
function dawdlingModel(dir: string): FittedModel {
    const model = fitModel(dir);
    fs.mkdirSync(path.join(dir, "code"), { recursive: true });
    fs.writeFileSync(
        path.join(dir, "code", "inference.py"),
        "import time\n\ndef predict_fn(data, model):\n    if float(data[0][0]) == 99.0:\n        time.sleep(3)\n    return model.predict(data)\n",
    );
    return model;
}

describe("local twin, asynchronous endpoint (npm start -- --async)", function () {
    this.timeout(180_000);
    let tmp: string;
    let model: FittedModel;
    let twin: TwinProcess;
    let ready: AsyncReady;
    const auth = { "x-api-key": KEY };

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-async-e2e-"));
        model = dawdlingModel(path.join(tmp, "iris"));
        twin = new TwinProcess(["--port", "0", "--api-key", KEY, "--async", model.dir]);
        ready = (await twin.ready()) as AsyncReady;
    });
    after(async () => {
        await twin?.kill(ready?.serverPid);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Polls the prediction until it is not pending, within `timeoutMs`; every answer in order. */
    async function until(location: string, timeoutMs = 60_000): Promise<Response[]> {
        const seen: Response[] = [];
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const res = await fetch(location, { headers: auth, redirect: "manual" });
            seen.push(res);
            if (res.status !== 202 || Date.now() > deadline) return seen;
            await res.arrayBuffer();
            await new Promise((r) => setTimeout(r, 200));
        }
    }

    it("prints where the local S3 keeps uploads and results, and the asynchronous routes", () => {
        assert.match(ready.s3.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        for (const dir of [ready.s3.uploads, ready.s3.outputs, ready.s3.failures]) assert.ok(dir.startsWith(os.tmpdir()), dir);
        for (const line of [`Uploads:  ${ready.s3.uploads}`, `Results:  ${ready.s3.outputs}`, "GET /predictions/{id}", "POST /uploads"]) {
            assert.ok(twin.stdout.includes(line), `no "${line}":\n${twin.output()}`);
        }
    });

    it("answers POST /predict with 202 and an id, is pending while the model works, then answers with its predictions", async () => {
        const rows = [SLOW_ROW, ...model.rows];
        const res = await post(`${ready.url}/predict`, csv(rows), { ...auth, "Content-Type": "text/csv", Accept: "application/json" });
        assert.equal(res.status, 202, res.text);
        const { id, status, location } = JSON.parse(res.text);
        assert.match(id, /^[0-9a-f]{32}$/);
        assert.equal(status, "pending");
        assert.equal(location, `${ready.url}/predictions/${id}`);
        assert.equal(res.headers.get("location"), location);

        const seen = await until(location);
        assert.equal(seen[0].status, 202);
        const done = seen[seen.length - 1];
        assert.equal(done.status, 200);
        assert.match(done.headers.get("content-type") ?? "", /application\/json/);
        const parsed = (await done.json()) as number[] | { predictions: number[] };
        assert.deepEqual((Array.isArray(parsed) ? parsed : parsed.predictions).slice(1), model.predictions);
    });

    async function failure(body: string): Promise<{ status: number; error: { code: string; message: string } }> {
        const res = await post(`${ready.url}/predict`, body, { ...auth, "Content-Type": "text/csv" });
        assert.equal(res.status, 202, res.text);
        const seen = await until(JSON.parse(res.text).location);
        const failed = seen[seen.length - 1];
        return { status: failed.status, error: ((await failed.json()) as { error: { code: string; message: string } }).error };
    }

    it("surfaces the container's refusal of an input it cannot read with its status and message", async () => {
        const { status, error } = await failure("a,b,c,d\n");
        assert.equal(status, 400);
        assert.equal(error.code, "ModelError");
        assert.ok(error.message.length > 0);
    });

    it("surfaces a model that fails as 500 ModelFailure, its text kept from the caller", async () => {
        const { status, error } = await failure("1,2,3\n");
        assert.equal(status, 500);
        assert.equal(error.code, "ModelFailure");
    });

    it("serves an OpenAPI document of the asynchronous routes", async () => {
        const doc = (await (await fetch(`${ready.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
        assert.deepEqual(Object.keys(doc.paths), ["/predict", "/predictions/{id}", "/uploads", "/uploads/{id}/predict"]);
    });

    it("passes every test of its own Postman collection under newman: queued, polled, upload URL, each error", async () => {
        const collection = (await (await fetch(`${ready.url}/postman.json`)).json()) as { item: { item: unknown[] }[] };
        const summary = await runNewman(collection, { apiKey: KEY });
        const failures = summary.run.failures.map((f: any) => `${f.source?.name}: ${f.error?.message}`);
        assert.deepEqual(failures, []);
        const requests = collection.item.flatMap((folder) => folder.item);
        assert.equal(summary.run.stats.requests.total, requests.length);
        assert.equal(summary.run.stats.assertions.total, requests.length, "one passing test per request");
    });

    it("answers 404 for an unknown prediction and for an unknown upload", async () => {
        const unknown = await fetch(`${ready.url}/predictions/0123456789abcdef0123456789abcdef`, { headers: auth });
        assert.equal(unknown.status, 404);
        const upload = await post(`${ready.url}/uploads/0123456789abcdef0123456789abcdef/predict`, "", {
            ...auth,
            "Content-Type": "text/csv",
        });
        assert.equal(upload.status, 404);
    });

    for (const megabytes of [4, 50])
        it(`predicts a ${megabytes} MB CSV uploaded through the presigned URL exactly as the model predicts its rows`, async function () {
            const repeats = Math.ceil((megabytes * 1024 * 1024) / Buffer.byteLength(csv(model.rows)));
            const data = Buffer.from(csv(model.rows).repeat(repeats));
            const created = await post(`${ready.url}/uploads`, JSON.stringify({ contentType: "text/csv", contentLength: data.length }), {
                ...auth,
                "Content-Type": "application/json",
            });
            assert.equal(created.status, 201, created.text);
            const upload = JSON.parse(created.text);
            const put = await fetch(upload.uploadUrl, { method: "PUT", body: data, headers: { "Content-Type": "text/csv" } });
            assert.equal(put.status, 200, await put.text());
            assert.ok(fs.existsSync(ready.s3.uploads), ready.s3.uploads);

            const started = await post(`${ready.url}/uploads/${upload.id}/predict`, "", {
                ...auth,
                "Content-Type": "text/csv",
                Accept: "text/csv",
            });
            assert.equal(started.status, 202, started.text);
            const seen = await until(JSON.parse(started.text).location, 150_000);
            let done = seen[seen.length - 1];
            if (done.status === 303) done = await fetch(done.headers.get("location")!);
            assert.equal(done.status, 200);
            const predictions = (await done.text()).trim().split("\n").map(Number);
            assert.equal(predictions.length, model.rows.length * repeats);
            for (let i = 0; i < predictions.length; i += model.rows.length) {
                assert.deepEqual(predictions.slice(i, i + model.rows.length), model.predictions, `rows from ${i}`);
            }
        });

    it("the local runtime refuses InvokeEndpointAsync requests SageMaker refuses, and InvokeEndpoint, as ValidationError", async () => {
        const client = runtimeClient(ready.runtimeUrl);
        try {
            const refused = async (input: Partial<ConstructorParameters<typeof InvokeEndpointAsyncCommand>[0]>) => {
                await assert.rejects(
                    client.send(new InvokeEndpointAsyncCommand({ EndpointName: ready.endpointName, ...input })),
                    (err: Error) => err.name === "ValidationError",
                );
            };
            await assert.rejects(
                client.send(
                    new InvokeEndpointCommand({
                        EndpointName: ready.endpointName,
                        Body: Buffer.from("1,2,3,4\n"),
                        ContentType: "text/csv",
                    }),
                ),
                (err: Error) => err.name === "ValidationError",
            );
            await refused({});
            await refused({ Body: Buffer.from("1,2,3,4\n"), InputLocation: `s3://${ready.s3.bucket}/x` });
            await refused({ Body: Buffer.alloc(128_001, "1") });
            await refused({ Body: Buffer.from("1,2,3,4\n"), RequestTTLSeconds: 59 });
            await refused({ Body: Buffer.from("1,2,3,4\n"), InvocationTimeoutSeconds: 3601 });
            const ok = await client.send(
                new InvokeEndpointAsyncCommand({
                    EndpointName: ready.endpointName,
                    Body: Buffer.from(csv(model.rows)),
                    ContentType: "text/csv",
                }),
            );
            assert.match(ok.OutputLocation ?? "", new RegExp(`^s3://${ready.s3.bucket}/async/outputs/[0-9a-f-]{36}\\.out$`));
            assert.match(ok.FailureLocation ?? "", /-error\.out$/);
            assert.ok(ok.InferenceId);
        } finally {
            client.destroy();
        }
    });
});
