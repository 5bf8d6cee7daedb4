/**
 * An asynchronous API end to end in the Lambda: the real handler, the real SageMaker Runtime and S3 SDKs,
 * the loopback runtime server answering InvokeEndpointAsync, and a real S3-compatible server
 * (@20minutes/s3rver, which checks SigV4 signatures and presigned URLs). SageMaker's side of a finished
 * prediction (the answer or the failure written to S3) is played by the test. Runs on the sources and on
 * the esbuild bundle.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    ASYNC_BUCKET_ENV,
    ASYNC_INVOKE_HEADERS,
    ASYNC_INLINE_BODY_BYTES,
    ASYNC_MAX_INPUT_BYTES,
    ASYNC_PREFIXES,
    MAX_RESULT_JSON_BYTES,
} from "../../contract";
import { buildLambdaBundle } from "../../lambda/bundle";
import { LocalS3 } from "../../local/local-s3";
import { acceptedAsync, type RecordedCall, SageMakerRuntimeServer } from "./sagemaker-runtime-server";
import { apiEvent, EnvScope, type Handler, header, run, runtimeEnv } from "./support";

const ENDPOINT = "iris-async-1a2b3c";
const CSV = "5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n";

const variants: Array<{ name: string; load(dir: string): Handler }> = [
    { name: "sources", load: () => (require("../../lambda/handler") as { handler: Handler }).handler },
    { name: "bundle", load: (dir) => (require(buildLambdaBundle(dir)) as { handler: Handler }).handler },
];

for (const variant of variants)
    describe(`lambda asynchronous API (${variant.name})`, function () {
        const runtime = new SageMakerRuntimeServer();
        const env = new EnvScope();
        let scratch: string;
        let s3: LocalS3;
        let handler: Handler;

        before(async function () {
            scratch = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-async-"));
            handler = variant.load(path.join(scratch, "bundle"));
            s3 = new LocalS3(path.join(scratch, "s3"));
            await s3.start();
            const url = await runtime.start();
            env.set({ ...runtimeEnv(url), ...s3.env() });
        });

        after(async function () {
            env.restore();
            await runtime.stop();
            await s3.stop();
            fs.rmSync(scratch, { recursive: true, force: true });
        });

        beforeEach(function () {
            runtime.reset();
            const bucket = `s3://${s3.bucket}/`;
            runtime.respondWith((call) => acceptedAsync(call, bucket + ASYNC_PREFIXES.outputs, bucket + ASYNC_PREFIXES.failures));
            acceptedLocations.clear();
            env.set({ ENDPOINT_NAME: ENDPOINT, ENDPOINT_KIND: "async", [ASYNC_BUCKET_ENV]: s3.bucket, MODEL_NAMES: undefined });
        });

        /** What SageMaker does once the model answered: the body at the OutputLocation it gave. */
        async function finish(call: RecordedCall, outcome: "output" | "failure", body: string | Buffer) {
            const uri = acceptedLocations.get(call)![outcome];
            const key = uri.slice(`s3://${s3.bucket}/`.length);
            await putRaw(key, body);
        }

        const acceptedLocations = new Map<RecordedCall, { output: string; failure: string }>();

        async function predict(body: string | Buffer = CSV, headers: Record<string, string> = { "Content-Type": "text/csv" }) {
            let locations: { output: string; failure: string } | undefined;
            runtime.respondWith((call) => {
                const reply = acceptedAsync(
                    call,
                    `s3://${s3.bucket}/${ASYNC_PREFIXES.outputs}`,
                    `s3://${s3.bucket}/${ASYNC_PREFIXES.failures}`,
                );
                locations = {
                    output: reply.headers![ASYNC_INVOKE_HEADERS.outputLocation],
                    failure: reply.headers![ASYNC_INVOKE_HEADERS.failureLocation],
                };
                return reply;
            });
            const out = await run(handler, apiEvent({ path: "/predict", body, headers }));
            const call = runtime.calls[runtime.calls.length - 1];
            if (call && locations) acceptedLocations.set(call, locations);
            return { ...out, call };
        }

        async function poll(id: string) {
            return run(handler, apiEvent({ method: "GET", path: `/predictions/${id}` }));
        }

        async function putRaw(key: string, body: string | Buffer, contentType?: string) {
            const { PutObjectCommand } = await import("@aws-sdk/client-s3");
            const { getS3Client } = await import("../../lambda/s3");
            await getS3Client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentType: contentType }));
        }

        async function getRaw(key: string): Promise<Buffer | undefined> {
            const { getObject } = await import("../../lambda/s3");
            const o = await getObject(s3.bucket, key);
            return o ? Buffer.from(o.body) : undefined;
        }

        describe("POST /predict", function () {
            it("queues the body inline on InvokeEndpointAsync and answers 202 with an unguessable id, its URL and when to poll", async function () {
                const { res, call } = await predict();
                assert.equal(res.statusCode, 202);
                const body = JSON.parse(res.body);
                assert.match(body.id, /^[0-9a-f]{32}$/);
                assert.equal(body.status, "pending");
                assert.equal(body.location, `https://example.execute-api.test/prod/predictions/${body.id}`);
                assert.equal(header(res, "location"), body.location);
                assert.ok(Number(header(res, "retry-after")) > 0);

                assert.equal(call.operation, "invokeAsync");
                assert.equal(call.endpointName, ENDPOINT);
                assert.equal(call.body.toString(), CSV);
                assert.equal(call.headers["x-amzn-sagemaker-content-type"], "text/csv");
                assert.equal(call.headers["x-amzn-sagemaker-inference-id"], body.id);
                assert.equal(call.headers["x-amzn-sagemaker-inputlocation"], undefined);
                assert.equal(call.headers["x-amzn-sagemaker-requestttlseconds"], "21600");
                assert.equal(call.headers["x-amzn-sagemaker-invocationtimeoutseconds"], "900");

                const ticket = JSON.parse((await getRaw(`${ASYNC_PREFIXES.requests}${body.id}.json`))!.toString());
                assert.equal(ticket.outputLocation, acceptedLocations.get(call)!.output);
                assert.ok(Date.parse(ticket.deadline) > Date.parse(ticket.createdAt));
            });

            it("stores a body larger than InvokeEndpointAsync carries inline under inputs/ and passes its InputLocation", async function () {
                const rows = "5.1,3.5,1.4,0.2\n".repeat(Math.ceil((ASYNC_INLINE_BODY_BYTES + 1) / 16));
                const { res, call } = await predict(rows);
                assert.equal(res.statusCode, 202);
                const id = JSON.parse(res.body).id;
                assert.equal(call.body.length, 0);
                assert.equal(call.headers["x-amzn-sagemaker-inputlocation"], `s3://${s3.bucket}/${ASYNC_PREFIXES.inputs}${id}`);
                assert.equal((await getRaw(`${ASYNC_PREFIXES.inputs}${id}`))!.toString(), rows);
            });

            it("still refuses what the synchronous API refuses before queueing anything (415)", async function () {
                const { res, error, call } = await predict("x", { "Content-Type": "application/xml" });
                assert.equal(res.statusCode, 415);
                assert.equal(error!.code, "UnsupportedMediaType");
                assert.equal(call, undefined);
            });
        });

        describe("GET /predictions/{id}", function () {
            it("answers 202 pending, then 200 with the model's answer bytes once SageMaker wrote them", async function () {
                const { res, call } = await predict(CSV, { "Content-Type": "text/csv", Accept: "application/json" });
                const id = JSON.parse(res.body).id;
                const pending = await poll(id);
                assert.equal(pending.res.statusCode, 202);
                assert.deepEqual(JSON.parse(pending.res.body), { id, status: "pending" });

                await finish(call, "output", '{"predictions": [0, 1]}');
                const done = await poll(id);
                assert.equal(done.res.statusCode, 200);
                assert.equal(done.res.body, '{"predictions": [0, 1]}');
                assert.equal(header(done.res, "content-type"), "application/json");
            });

            it("surfaces the model's 4xx failure with its status and message, as the synchronous API does", async function () {
                const { res, call } = await predict();
                const id = JSON.parse(res.body).id;
                await finish(call, "failure", JSON.stringify({ status: 400, message: "expected 4 features per row, got 3" }));
                const failed = await poll(id);
                assert.equal(failed.res.statusCode, 400);
                assert.equal(failed.error!.code, "ModelError");
                assert.equal(failed.error!.message, "expected 4 features per row, got 3");
            });

            it("reports a model crash as 500 ModelFailure without passing its text on", async function () {
                const { res, call } = await predict();
                const id = JSON.parse(res.body).id;
                await finish(call, "failure", JSON.stringify({ status: 500, message: "Traceback: secret" }));
                const failed = await poll(id);
                assert.equal(failed.res.statusCode, 500);
                assert.equal(failed.error!.code, "ModelFailure");
                assert.doesNotMatch(failed.res.body, /secret/);
            });

            it("answers 504 once the request is past its deadline with neither answer nor failure", async function () {
                const { res } = await predict();
                const id = JSON.parse(res.body).id;
                const key = `${ASYNC_PREFIXES.requests}${id}.json`;
                const ticket = JSON.parse((await getRaw(key))!.toString());
                await putRaw(key, JSON.stringify({ ...ticket, deadline: new Date(Date.now() - 1000).toISOString() }));
                const late = await poll(id);
                assert.equal(late.res.statusCode, 504);
                assert.equal(late.error!.code, "GatewayTimeout");
            });

            it("redirects (303) to a short-lived S3 URL when the answer is larger than a Lambda can return", async function () {
                const { res, call } = await predict(CSV, { "Content-Type": "text/csv", Accept: "text/csv" });
                const id = JSON.parse(res.body).id;
                const big = Buffer.alloc(MAX_RESULT_JSON_BYTES + 1, "1\n");
                await finish(call, "output", big);
                const done = await poll(id);
                assert.equal(done.res.statusCode, 303);
                const url = header(done.res, "location")!;
                const fetched = await fetch(url);
                assert.equal(fetched.status, 200);
                assert.equal(fetched.headers.get("content-type"), "text/csv");
                assert.ok(Buffer.from(await fetched.arrayBuffer()).equals(big));
            });

            it("answers 404 for an id it never gave", async function () {
                const { res, error } = await poll("0123456789abcdef0123456789abcdef");
                assert.equal(res.statusCode, 404);
                assert.equal(error!.code, "NotFound");
            });

            it("answers 404 for an id of the wrong form without asking S3", async function () {
                env.set({ AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9" });
                try {
                    const { res, error } = await poll("..%2Fmodels");
                    assert.equal(res.statusCode, 404);
                    assert.equal(error!.code, "NotFound");
                } finally {
                    env.set(s3.env());
                }
            });
        });

        describe("uploads", function () {
            async function createUpload(body: unknown) {
                return run(
                    handler,
                    apiEvent({ path: "/uploads", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
                );
            }

            it("hands out a presigned PUT for exactly the declared size; the upload is then predicted from S3", async function () {
                const data = Buffer.from(CSV.repeat(1000));
                const created = await createUpload({ contentType: "text/csv", contentLength: data.length });
                assert.equal(created.res.statusCode, 201);
                const upload = JSON.parse(created.res.body);
                assert.match(upload.id, /^[0-9a-f]{32}$/);
                assert.equal(upload.method, "PUT");
                const expiresIn = Date.parse(upload.expiresAt) - Date.now();
                assert.ok(expiresIn > 0 && expiresIn <= 3600_000, upload.expiresAt);
                const url = new URL(upload.uploadUrl);
                assert.match(url.searchParams.get("X-Amz-SignedHeaders")!, /content-length/);
                assert.ok(![...url.searchParams.keys()].some((k) => /checksum/i.test(k)), upload.uploadUrl);

                const wrongSize = await fetch(upload.uploadUrl, {
                    method: "PUT",
                    body: data.subarray(1),
                    headers: { "Content-Type": "text/csv" },
                });
                assert.equal(wrongSize.status, 403);
                const put = await fetch(upload.uploadUrl, { method: "PUT", body: data, headers: { "Content-Type": "text/csv" } });
                assert.equal(put.status, 200);

                const started = await run(
                    handler,
                    apiEvent({ path: `/uploads/${upload.id}/predict`, headers: { "Content-Type": "text/csv" } }),
                );
                assert.equal(started.res.statusCode, 202);
                const call = runtime.calls[runtime.calls.length - 1];
                assert.equal(call.headers["x-amzn-sagemaker-inputlocation"], `s3://${s3.bucket}/${ASYNC_PREFIXES.uploads}${upload.id}`);
                assert.equal(call.headers["x-amzn-sagemaker-content-type"], "text/csv");
                const id = JSON.parse(started.res.body).id;
                assert.notEqual(id, upload.id);
                assert.equal((await poll(id)).res.statusCode, 202);
            });

            it("answers 404 when asked to predict an upload that does not exist", async function () {
                const { res, error } = await run(handler, apiEvent({ path: "/uploads/0123456789abcdef0123456789abcdef/predict" }));
                assert.equal(res.statusCode, 404);
                assert.equal(error!.code, "NotFound");
                assert.equal(runtime.calls.length, 0);
            });

            it("refuses an upload larger than an asynchronous endpoint takes, naming contentLength (413)", async function () {
                const { res, error } = await createUpload({ contentType: "text/csv", contentLength: ASYNC_MAX_INPUT_BYTES + 1 });
                assert.equal(res.statusCode, 413);
                assert.match(error!.message, /contentLength/);
            });

            it("refuses a missing or unsupported contentType and a size that is not a positive whole number, naming the field", async function () {
                const noType = await createUpload({ contentLength: 10 });
                assert.equal(noType.res.statusCode, 400);
                assert.match(noType.error!.message, /contentType/);
                const xml = await createUpload({ contentType: "application/xml", contentLength: 10 });
                assert.match(xml.error!.message, /contentType/);
                for (const contentLength of [0, -1, 1.5, "10"]) {
                    const bad = await createUpload({ contentType: "text/csv", contentLength });
                    assert.equal(bad.res.statusCode, 400, String(contentLength));
                    assert.match(bad.error!.message, /contentLength/);
                }
                const notJson = await run(handler, apiEvent({ path: "/uploads", body: "nope" }));
                assert.equal(notJson.res.statusCode, 400);
            });
        });

        it("a synchronous API has none of these routes", async function () {
            env.set({ ENDPOINT_KIND: undefined });
            const { res } = await poll("0123456789abcdef0123456789abcdef");
            assert.equal(res.statusCode, 404);
            const upload = await run(handler, apiEvent({ path: "/uploads", body: "{}" }));
            assert.equal(upload.res.statusCode, 404);
        });
    });
