/**
 * The request handler end to end: the real handler and the real AWS SDK against a loopback
 * server that speaks SageMaker Runtime's InvokeEndpoint wire protocol. Every case runs twice:
 * on the sources (what the local twin loads) and on the esbuild bundle (what Lambda runs).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    EVENT_ENVELOPE_RESERVE_BYTES,
    HEADERS,
    LAMBDA_SYNC_PAYLOAD_BYTES,
    PRODUCTION_VARIANT,
    requestBodyLimits,
    TARGET_VARIANT_HEADER,
    VARIANT_HEADER,
} from "../../contract";
import { buildLambdaBundle } from "../../lambda/bundle";
import { replies, SageMakerRuntimeServer, type Script } from "./sagemaker-runtime-server";
import { apiEvent, EnvScope, type Handler, header, lambdaContext, run, runtimeEnv } from "./support";

interface HandlerModule {
    handler: Handler;
    getClient(): unknown;
}

const variants: Array<{ name: string; load(): HandlerModule; cleanup?(): void }> = [
    { name: "sources", load: () => require("../../lambda/handler") },
    (() => {
        let dir = "";
        return {
            name: "bundle",
            load: () => {
                dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-handler-bundle-"));
                return require(buildLambdaBundle(dir));
            },
            cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
        };
    })(),
];

const ENDPOINT = "iris-endpoint-1a2b3c";
const MB = 1024 * 1024;
const CSV = "5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n";
const JSON_BODY = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });
/** An .npy header followed by bytes that are not valid UTF-8: corrupted by any text handling. */
const NPY = Buffer.concat([Buffer.from("\x93NUMPY\x01\x00", "latin1"), Buffer.from([0x76, 0x00, 0xff, 0xfe, 0x80, 0x81, 0x00, 0x01])]);

for (const variant of variants)
    describe(`lambda handler (${variant.name})`, function () {
        const server = new SageMakerRuntimeServer();
        const env = new EnvScope();
        let handler: Handler;
        let getClient: () => unknown;

        before(async function () {
            ({ handler, getClient } = variant.load());
            const url = await server.start();
            env.set(runtimeEnv(url));
        });

        after(async function () {
            env.restore();
            await server.stop();
            variant.cleanup?.();
        });

        beforeEach(function () {
            server.reset();
            env.set({
                ENDPOINT_NAME: ENDPOINT,
                MODEL_NAMES: undefined,
                ENDPOINT_KIND: undefined,
                INVOKE_TIMEOUT_MS: undefined,
                CORS_ALLOW_ORIGINS: undefined,
                VARIANT_NAMES: undefined,
                AWS_MAX_ATTEMPTS: "1",
            });
        });

        describe("single-model routes", function () {
            it("POST /predict sends the body to the endpoint through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME and returns the model's answer", async function () {
                server.respondWith(replies.ok('{"predictions": [0]}', "application/json"));
                const { res } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { "Content-Type": "application/json" } }),
                );

                assert.equal(res.statusCode, 200);
                assert.equal(res.body, '{"predictions": [0]}');
                assert.equal(header(res, "content-type"), "application/json");
                assert.equal(res.isBase64Encoded, false);
                assert.equal(server.calls.length, 1);
                assert.equal(server.calls[0].path, `/endpoints/${ENDPOINT}/invocations`);
                assert.equal(server.calls[0].body.toString(), JSON_BODY);
                assert.equal(server.calls[0].headers["x-amzn-sagemaker-target-model"], undefined);
                assert.match(String(server.calls[0].headers["authorization"]), /^AWS4-HMAC-SHA256 Credential=test\//);
            });

            it("Content-Type and Accept pass through to InvokeEndpoint unchanged, parameters included", async function () {
                const { res } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: CSV, headers: { "content-type": "text/csv; charset=utf-8", accept: "text/csv" } }),
                );

                assert.equal(server.calls[0].headers["content-type"], "text/csv; charset=utf-8");
                assert.equal(server.calls[0].headers["accept"], "text/csv");
                assert.equal(res.statusCode, 200);
                assert.equal(header(res, "content-type"), "text/csv");
                assert.equal(res.body, CSV);
            });

            it("JSON is assumed for Content-Type and Accept when the caller sends neither", async function () {
                await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(server.calls[0].headers["content-type"], "application/json");
                assert.equal(server.calls[0].headers["accept"], "application/json");
            });

            it("headers are found whatever their case, in headers or multiValueHeaders", async function () {
                await run(
                    handler,
                    apiEvent({
                        path: "/predict",
                        body: CSV,
                        multiValueHeaders: { "CONTENT-TYPE": ["text/csv"], ACCEPT: ["application/json"] },
                    }),
                );

                assert.equal(server.calls[0].headers["content-type"], "text/csv");
                assert.equal(server.calls[0].headers["accept"], "application/json");
            });

            it("base64 bodies are decoded to the exact bytes, and binary answers come back base64-encoded", async function () {
                const { res } = await run(
                    handler,
                    apiEvent({
                        path: "/predict",
                        body: NPY,
                        base64: true,
                        headers: { "Content-Type": "application/x-npy", Accept: "application/x-npy" },
                    }),
                );

                assert.deepEqual(server.calls[0].body, NPY);
                assert.equal(res.statusCode, 200);
                assert.equal(res.isBase64Encoded, true);
                assert.equal(header(res, "content-type"), "application/x-npy");
                assert.deepEqual(Buffer.from(res.body, "base64"), NPY);
            });

            it("custom attributes pass to the model and back", async function () {
                server.respondWith(replies.ok("[1]", "application/json", { "X-Amzn-SageMaker-Custom-Attributes": "trace=abc" }));
                const { res } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { "X-Amzn-SageMaker-Custom-Attributes": "trace=abc" } }),
                );

                assert.equal(server.calls[0].headers["x-amzn-sagemaker-custom-attributes"], "trace=abc");
                assert.equal(header(res, "x-amzn-sagemaker-custom-attributes"), "trace=abc");
            });

            it("a trailing slash on /predict/ is the same route", async function () {
                const { res } = await run(handler, apiEvent({ path: "/predict/", body: JSON_BODY }));

                assert.equal(res.statusCode, 200);
                assert.equal(server.calls.length, 1);
            });

            it("an unknown path is 404 and never reaches SageMaker", async function () {
                const { res, error } = await run(handler, apiEvent({ path: "/invocations", body: JSON_BODY }));

                assert.equal(res.statusCode, 404);
                assert.equal(error?.code, "NotFound");
                assert.match(error!.message, /POST \/predict/);
                assert.equal(server.calls.length, 0);
            });

            it("GET /predict is 405 with Allow: POST", async function () {
                const { res, error } = await run(handler, apiEvent({ method: "GET", path: "/predict" }));

                assert.equal(res.statusCode, 405);
                assert.equal(header(res, "allow"), "POST");
                assert.equal(error?.code, "MethodNotAllowed");
                assert.equal(server.calls.length, 0);
            });

            it("multi-model routes are 404 on a single-model deployment", async function () {
                const predict = await run(handler, apiEvent({ path: "/models/iris/predict", body: JSON_BODY }));
                const list = await run(handler, apiEvent({ method: "GET", path: "/models" }));

                assert.equal(predict.res.statusCode, 404);
                assert.equal(list.res.statusCode, 404);
                assert.equal(server.calls.length, 0);
            });
        });

        describe("multi-model routes", function () {
            beforeEach(function () {
                env.set({ MODEL_NAMES: "iris, wine,digits" });
            });

            it("POST /models/{name}/predict routes to TargetModel {name}.tar.gz", async function () {
                const { res } = await run(handler, apiEvent({ path: "/models/wine/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 200);
                assert.equal(server.calls.length, 1);
                assert.equal(server.calls[0].path, `/endpoints/${ENDPOINT}/invocations`);
                assert.equal(server.calls[0].headers["x-amzn-sagemaker-target-model"], "wine.tar.gz");
            });

            it("a model outside MODEL_NAMES is 404 and never reaches SageMaker", async function () {
                const { res, error } = await run(handler, apiEvent({ path: "/models/secret/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 404);
                assert.equal(error?.code, "ModelNotFound");
                assert.match(error!.message, /"secret"/);
                assert.equal(server.calls.length, 0);
            });

            it("a name that only resembles an allowed one (path tricks, case) is 404", async function () {
                for (const path of [
                    "/models/..%2Firis/predict",
                    "/models/IRIS/predict",
                    "/models/iris.tar.gz/predict",
                    "/models//predict",
                ]) {
                    const { res } = await run(handler, apiEvent({ path, body: JSON_BODY }));
                    assert.equal(res.statusCode, 404, path);
                }
                assert.equal(server.calls.length, 0);
            });

            it("GET /models lists the allowed models without calling SageMaker", async function () {
                const { res } = await run(handler, apiEvent({ method: "GET", path: "/models" }));

                assert.equal(res.statusCode, 200);
                assert.equal(header(res, "content-type"), "application/json");
                assert.deepEqual(JSON.parse(res.body), { models: ["iris", "wine", "digits"] });
                assert.equal(server.calls.length, 0);
            });

            it("POST /predict is 404 on a multi-model deployment", async function () {
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 404);
                assert.match(error!.message, /\/models\/\{name\}\/predict/);
                assert.equal(server.calls.length, 0);
            });

            it("the wrong method on a known route is 405 with Allow", async function () {
                const getPredict = await run(handler, apiEvent({ method: "GET", path: "/models/iris/predict" }));
                const postModels = await run(handler, apiEvent({ method: "POST", path: "/models", body: JSON_BODY }));

                assert.equal(getPredict.res.statusCode, 405);
                assert.equal(header(getPredict.res, "allow"), "POST");
                assert.equal(postModels.res.statusCode, 405);
                assert.equal(header(postModels.res, "allow"), "GET");
                assert.equal(server.calls.length, 0);
            });
        });

        describe("requests rejected before SageMaker", function () {
            it("an empty body is 400", async function () {
                for (const body of [null, ""]) {
                    const { res, error } = await run(handler, apiEvent({ path: "/predict", body }));
                    assert.equal(res.statusCode, 400);
                    assert.equal(error?.code, "BadRequest");
                }
                assert.equal(server.calls.length, 0);
            });

            it("a body flagged base64 that is not base64 is 400", async function () {
                const event = apiEvent({ path: "/predict", body: "not base64!!" });
                event.isBase64Encoded = true;
                const { res, error } = await run(handler, event);

                assert.equal(res.statusCode, 400);
                assert.match(error!.message, /base64/);
                assert.equal(server.calls.length, 0);
            });

            it("custom attributes SageMaker would refuse (over 1024 characters, not visible ASCII) are 400, never logged", async function () {
                for (const value of ["x".repeat(1025), "caf\u00e9=1"]) {
                    const { res, error, logs } = await run(
                        handler,
                        apiEvent({ path: "/predict", body: JSON_BODY, headers: { "X-Amzn-SageMaker-Custom-Attributes": value } }),
                    );
                    assert.equal(res.statusCode, 400);
                    assert.equal(error?.code, "BadRequest");
                    assert.match(error!.message, /x-amzn-sagemaker-custom-attributes header has/);
                    assert.ok(!res.body.includes(value) && !logs.join("").includes(value), "the value is repeated");
                }
                assert.equal(server.calls.length, 0);
                server.respondWith(replies.ok("[1]", "application/json"));
                const { res } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { "X-Amzn-SageMaker-Custom-Attributes": "y".repeat(1024) } }),
                );
                assert.equal(res.statusCode, 200);
            });

            it("a content type the container cannot read is 415", async function () {
                const { res, error } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: "<x/>", headers: { "Content-Type": "application/xml" } }),
                );

                assert.equal(res.statusCode, 415);
                assert.equal(error?.code, "UnsupportedMediaType");
                assert.match(error!.message, /application\/json, text\/csv, application\/x-npy/);
                assert.equal(server.calls.length, 0);
            });

            it("a real-time endpoint takes a text body up to its limit and answers 413 one byte over, a body that still reaches it on AWS", async function () {
                const limit = requestBodyLimits("realtime").text;
                server.respondWith(replies.ok("[1]", "application/json"));
                const atLimit = await run(
                    handler,
                    apiEvent({ path: "/predict", body: "1".repeat(limit), headers: { "Content-Type": "text/csv" } }),
                );
                assert.equal(atLimit.res.statusCode, 200);
                assert.equal(server.calls.length, 1);

                const overEvent = apiEvent({ path: "/predict", body: "1".repeat(limit + 1), headers: { "Content-Type": "text/csv" } });
                // Lambda refuses a synchronous event over 6 MB before the handler runs: the 413 is reachable only below that.
                assert.ok(Buffer.byteLength(JSON.stringify(overEvent)) + EVENT_ENVELOPE_RESERVE_BYTES <= LAMBDA_SYNC_PAYLOAD_BYTES);
                const over = await run(handler, overEvent);
                assert.equal(over.res.statusCode, 413);
                assert.equal(over.error?.code, "PayloadTooLarge");
                assert.match(over.error!.message, new RegExp(`at most ${limit} bytes of text body`));
                assert.equal(JSON.parse(over.logs[0]).requestBytes, limit + 1, "the log shows the refused size");
                assert.equal(server.calls.length, 1);
            });

            it("a real-time endpoint takes a binary body up to what fits base64-encoded in the Lambda event, and answers 413 one byte over", async function () {
                const limit = requestBodyLimits("realtime").binary;
                assert.ok(limit < 6 * MB * 0.75, `${limit}: 6 MB of event holds at most 4.5 MB of base64-encoded bytes`);
                server.respondWith(replies.ok("[1]", "application/json"));
                const headers = { "Content-Type": "application/x-npy" };
                const atLimit = await run(handler, apiEvent({ path: "/predict", body: Buffer.alloc(limit, 7), base64: true, headers }));
                assert.equal(atLimit.res.statusCode, 200);

                // At the limit the base64 text fits beside the largest envelope API Gateway can send...
                assert.ok(4 * Math.ceil(limit / 3) + EVENT_ENVELOPE_RESERVE_BYTES <= LAMBDA_SYNC_PAYLOAD_BYTES);
                // ...and one byte over, an ordinary request still reaches the handler, which answers 413.
                const overEvent = apiEvent({ path: "/predict", body: Buffer.alloc(limit + 1, 7), base64: true, headers });
                assert.ok(Buffer.byteLength(JSON.stringify(overEvent)) <= LAMBDA_SYNC_PAYLOAD_BYTES);
                const over = await run(handler, overEvent);
                assert.equal(over.res.statusCode, 413);
                assert.match(over.error!.message, new RegExp(`at most ${limit} bytes of binary body`));
                assert.equal(server.calls.length, 1);
            });

            it("a serverless endpoint answers 413 above 4 MB, counted on the decoded body", async function () {
                env.set({ ENDPOINT_KIND: "serverless" });
                // 4 MB + 1 decoded is about 5.3 MB of base64 text: under 6 MB as sent, over 4 MB as meant.
                const { res, error } = await run(
                    handler,
                    apiEvent({
                        path: "/predict",
                        body: Buffer.alloc(4 * MB + 1, 7),
                        base64: true,
                        headers: { "Content-Type": "application/x-npy" },
                    }),
                );

                assert.equal(res.statusCode, 413);
                assert.match(error!.message, /4194304/);
                assert.deepEqual(requestBodyLimits("serverless"), { text: 4 * MB, binary: 4 * MB });
                assert.equal(server.calls.length, 0);
            });

            it("a missing ENDPOINT_NAME is a 500 that names the cause in the log only", async function () {
                env.set({ ENDPOINT_NAME: undefined });
                const { res, error, logs } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 500);
                assert.doesNotMatch(error!.message, /ENDPOINT_NAME/);
                assert.match(JSON.parse(logs[0]).detail, /ENDPOINT_NAME/);
                assert.equal(server.calls.length, 0);
            });
        });

        describe("bodies checked before SageMaker", function () {
            it("a JSON body that is not well-formed JSON is 400 and costs no endpoint invocation", async function () {
                for (const body of ['{"instances": [[1, 2]]', "[1, 2,]", "{'a': 1}"]) {
                    const { res, error } = await run(
                        handler,
                        apiEvent({ path: "/predict", body, headers: { "Content-Type": "application/json; charset=utf-8" } }),
                    );
                    assert.equal(res.statusCode, 400, body);
                    assert.equal(error?.code, "BadRequest");
                    assert.match(error!.message, /not well-formed JSON/);
                }
                assert.equal(server.calls.length, 0);
            });

            it("a text body that was not UTF-8 (U+FFFD from API Gateway, or invalid bytes in base64) is 400", async function () {
                const replaced = await run(handler, apiEvent({ path: "/predict", body: '{"instances": [[1, 2]], "id": "\uFFFD"}' }));
                assert.equal(replaced.res.statusCode, 400);
                assert.match(replaced.error!.message, /not UTF-8/);
                const raw = Buffer.concat([Buffer.from("5.1,3.5,1.4,"), Buffer.from([0xff, 0xfe])]);
                const encoded = await run(
                    handler,
                    apiEvent({ path: "/predict", body: raw, base64: true, headers: { "Content-Type": "text/csv" } }),
                );
                assert.equal(encoded.res.statusCode, 400);
                assert.match(encoded.error!.message, /not UTF-8/);
                assert.equal(server.calls.length, 0);
            });

            it("a CSV body is passed on as sent (only JSON is parsed here)", async function () {
                const { res } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: "a,b\n1,2\n", headers: { "Content-Type": "text/csv" } }),
                );
                assert.equal(res.statusCode, 200);
                assert.equal(server.calls[0].body.toString(), "a,b\n1,2\n");
            });
        });

        describe("content negotiation", function () {
            const acceptSent = async (accept: string) => {
                server.reset();
                await run(handler, apiEvent({ path: "/predict", body: JSON_BODY, headers: { Accept: accept } }));
                return server.calls[0]?.headers["accept"];
            };

            it("of several Accept types only the one that will be answered goes to SageMaker", async function () {
                assert.equal(await acceptSent("text/csv;q=0.5, application/json"), "application/json");
                assert.equal(await acceptSent("application/xml, text/csv;q=0.2"), "text/csv");
                assert.equal(await acceptSent("text/*"), "text/csv");
                assert.equal(await acceptSent("*/*"), "application/json");
                assert.equal(await acceptSent("application/x-npy, application/json;q=0.9"), "application/x-npy");
            });

            it("a binary answer is chosen only when its type comes first in Accept, as API Gateway decodes base64 only then", async function () {
                // The container alone would pick NPY (q=1), which API Gateway would hand over as base64 text.
                assert.equal(await acceptSent("application/json;q=0.1, application/x-npy"), "application/json");
                server.reset();
                const { res, error } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { Accept: "application/json;q=0, application/x-npy" } }),
                );
                assert.equal(res.statusCode, 406);
                assert.equal(error?.code, "NotAcceptable");
                assert.match(error!.message, /first type in Accept/);
                assert.equal(server.calls.length, 0);
            });

            it("a type only a model's own output_fn knows is still passed on", async function () {
                assert.equal(await acceptSent("application/jsonlines"), "application/jsonlines");
            });
        });

        describe("CORS", function () {
            const ORIGIN = "https://app.example.com";

            it("is off by default: no CORS headers, and OPTIONS is a wrong method", async function () {
                const { res } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY, headers: { Origin: ORIGIN } }));
                assert.equal(header(res, "access-control-allow-origin"), undefined);
                const preflight = await run(handler, apiEvent({ method: "OPTIONS", path: "/predict", headers: { Origin: ORIGIN } }));
                assert.equal(preflight.res.statusCode, 405);
            });

            it("puts the allowed origin on every answer, errors included, and nothing for another origin", async function () {
                env.set({ CORS_ALLOW_ORIGINS: `${ORIGIN}, https://other.example.com` });
                const ok = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY, headers: { Origin: ORIGIN } }));
                assert.equal(ok.res.statusCode, 200);
                assert.equal(header(ok.res, "access-control-allow-origin"), ORIGIN);
                assert.equal(header(ok.res, "vary"), "Origin");
                for (const event of [
                    apiEvent({ path: "/nowhere", body: "1", headers: { Origin: ORIGIN } }),
                    apiEvent({ path: "/predict", body: "[", headers: { Origin: ORIGIN } }),
                ]) {
                    const { res } = await run(handler, event);
                    assert.ok(res.statusCode >= 400);
                    assert.equal(header(res, "access-control-allow-origin"), ORIGIN);
                }
                const stranger = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { Origin: "https://evil.example.com" } }),
                );
                assert.equal(header(stranger.res, "access-control-allow-origin"), undefined);
            });

            it("answers a preflight with 204, the route's methods and the headers a caller sends, without calling SageMaker", async function () {
                env.set({ CORS_ALLOW_ORIGINS: ORIGIN });
                const { res } = await run(handler, apiEvent({ method: "OPTIONS", path: "/predict", headers: { Origin: ORIGIN } }));
                assert.equal(res.statusCode, 204);
                assert.equal(header(res, "access-control-allow-origin"), ORIGIN);
                assert.equal(header(res, "access-control-allow-methods"), "POST, OPTIONS");
                assert.match(header(res, "access-control-allow-headers")!, /x-api-key/);
                assert.equal(server.calls.length, 0);
            });
        });

        describe("SageMaker errors", function () {
            it("a model's 4xx keeps its status and the message from its JSON body", async function () {
                server.respondWith(replies.modelError(400, JSON.stringify({ message: "expected 4 features, got 3" })));
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 400);
                assert.equal(error?.code, "ModelError");
                assert.equal(error?.message, "expected 4 features, got 3");
            });

            it("a model's 4xx with a plain-text message passes that text", async function () {
                server.respondWith(replies.modelError(422, "unknown column 'petal'"));
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 422);
                assert.equal(error?.message, "unknown column 'petal'");
            });

            it("a model's 5xx is a 500 ModelFailure and its message (maybe a traceback) stays out of the answer", async function () {
                server.respondWith(replies.modelError(500, 'Traceback (most recent call last):\n  File "/opt/ml/code/inference.py"'));
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 500);
                assert.equal(error?.code, "ModelFailure");
                assert.doesNotMatch(res.body, /Traceback|inference\.py|arn:aws/);
            });

            it("a model answer too large for Lambda to return is 502 ResponseTooLarge, not API Gateway's opaque error", async function () {
                // 5 MB of binary is about 6.7 MB once base64-encoded: over Lambda's 6 MB response limit.
                server.respondWith(replies.ok(Buffer.alloc(5 * MB, 1), "application/x-npy"));
                const { res, error } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { Accept: "application/x-npy" } }),
                );

                assert.equal(res.statusCode, 502);
                assert.equal(error?.code, "ResponseTooLarge");
                assert.match(error!.message, /5242880 bytes, base64-encoded/);
            });

            it("a container that outlives SageMaker's 60 s (ModelError without a status) is 504", async function () {
                server.respondWith({
                    status: 424,
                    headers: { "Content-Type": "application/json", "x-amzn-errortype": "ModelError" },
                    body: JSON.stringify({
                        Message: "Your invocation timed out while waiting for a response from container primary.",
                        OriginalStatusCode: 0,
                        OriginalMessage: "Your invocation timed out while waiting for a response from container primary.",
                    }),
                });
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 504);
                assert.equal(error?.code, "GatewayTimeout");
            });

            for (const [name, status, code] of [
                ["ModelNotReadyException", 429, "ModelNotReady"],
                ["ThrottlingException", 400, "Throttled"],
                ["ServiceUnavailable", 503, "ServiceUnavailable"],
                ["InternalDependencyException", 530, "ServiceUnavailable"],
            ] as const) {
                it(`${name} is 503 with Retry-After`, async function () {
                    server.respondWith(replies.error(name, status, "try later"));
                    const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                    assert.equal(res.statusCode, 503);
                    assert.equal(error?.code, code);
                    assert.match(header(res, "retry-after") ?? "", /^[1-9]\d*$/);
                });
            }

            it("a throttled call as SageMaker really answers it (400, a null message) is still 503 with Retry-After", async function () {
                // The service's throttling body carries no message (opensearch-project/ml-commons issue 2429).
                server.respondWith({
                    status: 400,
                    headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "ThrottlingException" },
                    body: '{"message": null}',
                });
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 503);
                assert.equal(error?.code, "Throttled");
                assert.match(header(res, "retry-after") ?? "", /^[1-9]\d*$/);
            });

            it("a throttled call is retried once by default before the caller gets 503", async function () {
                env.set({ AWS_MAX_ATTEMPTS: undefined });
                server.respondWith(replies.error("ThrottlingException", 400, "Rate exceeded"));
                const { res } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 503);
                assert.equal(server.calls.length, 2);
            });

            it("a ValidationError is 400 with SageMaker's message, account and ARNs redacted", async function () {
                server.respondWith(
                    replies.error(
                        "ValidationError",
                        400,
                        `Endpoint ${ENDPOINT} of account 123456789012 not found (arn:aws:sagemaker:us-east-1:123456789012:endpoint/x).`,
                    ),
                );
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 400);
                assert.equal(error?.code, "ValidationError");
                assert.match(error!.message, new RegExp(`Endpoint ${ENDPOINT} of account <account> not found`));
                assert.doesNotMatch(res.body, /123456789012/);
            });

            it("an InternalFailure is 500 with the requestId and nothing of SageMaker's text", async function () {
                server.respondWith(replies.error("InternalFailure", 500, "host i-0abc crashed at frame 7"));
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY, requestId: "req-500" }));

                assert.equal(res.statusCode, 500);
                assert.equal(error?.code, "InternalError");
                assert.equal(error?.requestId, "req-500");
                assert.doesNotMatch(res.body, /i-0abc|frame|stack|at /);
            });

            it("a model slower than INVOKE_TIMEOUT_MS is 504", async function () {
                env.set({ INVOKE_TIMEOUT_MS: "150" });
                server.respondWith({ ...replies.ok("[0]", "application/json"), delayMs: 2_000 });
                const started = Date.now();
                const { res, error, logs } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 504);
                assert.equal(error?.code, "GatewayTimeout");
                assert.ok(Date.now() - started < 1_500, "answered before the model did");
                assert.equal(JSON.parse(logs[0]).upstreamError, "AbortError");
            });

            it("the Lambda's remaining time bounds the call so the caller gets 504 instead of a killed Lambda", async function () {
                server.respondWith({ ...replies.ok("[0]", "application/json"), delayMs: 3_000 });
                const started = Date.now();
                const { res } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }), lambdaContext(800));

                assert.equal(res.statusCode, 504);
                assert.ok(Date.now() - started < 800, "answered inside the Lambda's remaining time");
            });
        });

        describe("production variants", function () {
            /** SageMaker's answers name the variant that served them; this script answers from `served`. */
            const servedBy =
                (served: (pinned: string | undefined) => string): Script =>
                (call) => {
                    const pinned = call.headers[TARGET_VARIANT_HEADER] as string | undefined;
                    return replies.ok('{"predictions":[1]}', "application/json", { [HEADERS.invokedVariant]: served(pinned) });
                };

            it("passes a pinned variant from X-ModelApi-Variant to SageMaker as X-Amzn-SageMaker-Target-Variant and names it on the answer", async function () {
                env.set({ VARIANT_NAMES: "v1,v2" });
                server.respondWith(servedBy((pinned) => pinned ?? "v1"));
                const { res, logs } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { "X-ModelApi-Variant": "v2" } }),
                );

                assert.equal(res.statusCode, 200);
                assert.equal(server.calls.length, 1);
                assert.equal(server.calls[0].headers[TARGET_VARIANT_HEADER], "v2");
                assert.equal(header(res, VARIANT_HEADER), "v2");
                const line = JSON.parse(logs[0]);
                assert.deepEqual([line.targetVariant, line.invokedVariant], ["v2", "v2"]);
            });

            it("sends no target variant when the caller pins none, and names the variant SageMaker chose", async function () {
                env.set({ VARIANT_NAMES: "v1,v2" });
                server.respondWith(servedBy(() => "v1"));
                const { res } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 200);
                assert.equal(server.calls[0].headers[TARGET_VARIANT_HEADER], undefined);
                assert.equal(header(res, VARIANT_HEADER), "v1");
            });

            it("refuses a variant that is not one of the API's with a 400 naming the variants, without calling SageMaker", async function () {
                env.set({ VARIANT_NAMES: "v1, v2" });
                const { res, error } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { "x-modelapi-variant": "v3" } }),
                );

                assert.equal(res.statusCode, 400);
                assert.equal(error?.code, "BadRequest");
                assert.match(error!.message, /"v3"/);
                assert.match(error!.message, /"v1", "v2"/);
                assert.equal(server.calls.length, 0);
            });

            it("refuses any pinned variant when the API serves one version, without calling SageMaker", async function () {
                const { res, error } = await run(
                    handler,
                    apiEvent({ path: "/predict", body: JSON_BODY, headers: { "X-ModelApi-Variant": "AllTraffic" } }),
                );

                assert.equal(res.statusCode, 400);
                assert.equal(error?.code, "BadRequest");
                assert.match(error!.message, /one model version/);
                assert.match(error!.message, /x-modelapi-variant/i);
                assert.equal(server.calls.length, 0);
            });

            it("names the variant on a model's error answer when SageMaker names it", async function () {
                env.set({ VARIANT_NAMES: "v1,v2" });
                const failure = replies.modelError(400, JSON.stringify({ message: "expected 4 features, got 3" }));
                server.respondWith({ ...failure, headers: { ...failure.headers, [HEADERS.invokedVariant]: "v2" } });
                const { res, error } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 400);
                assert.equal(error?.code, "ModelError");
                assert.equal(header(res, VARIANT_HEADER), "v2");
            });

            it("sends the API's request id as InferenceId, so captured records of every variant join on it", async function () {
                await run(handler, apiEvent({ path: "/predict", body: JSON_BODY, requestId: "c0ffee00-1234-4abc-8def-0123456789ab" }));
                await run(handler, apiEvent({ path: "/predict", body: JSON_BODY, requestId: "x".repeat(65) }));
                assert.equal(server.calls[0].headers["x-amzn-sagemaker-inference-id"], "c0ffee00-1234-4abc-8def-0123456789ab");
                assert.equal(server.calls[1].headers["x-amzn-sagemaker-inference-id"], undefined);
            });

            it("names the single variant on every answer of a one-version API", async function () {
                server.respondWith(replies.ok('{"predictions":[1]}', "application/json"));
                const { res } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));
                assert.equal(header(res, VARIANT_HEADER), PRODUCTION_VARIANT);
            });

            it("lets browsers send the pin header and read the variant header", async function () {
                env.set({ CORS_ALLOW_ORIGINS: "https://app.example.com", VARIANT_NAMES: "v1,v2" });
                const origin = { Origin: "https://app.example.com" };
                const preflight = await run(handler, apiEvent({ method: "OPTIONS", path: "/predict", headers: origin }));
                assert.match(header(preflight.res, "access-control-allow-headers")!, new RegExp(VARIANT_HEADER));
                const { res } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY, headers: origin }));
                assert.match(header(res, "access-control-expose-headers")!, new RegExp(VARIANT_HEADER));
            });
        });

        describe("configuration", function () {
            it("one client serves every request of a container", async function () {
                const first = getClient();
                await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));
                await run(handler, apiEvent({ path: "/predict", body: CSV, headers: { "Content-Type": "text/csv" } }));

                assert.equal(getClient(), first);
                assert.equal(server.calls.length, 2);
            });

            it("an ENDPOINT_KIND other than realtime, serverless or async is a 500 that names the setting in the log", async function () {
                env.set({ ENDPOINT_KIND: "batch" });
                const { res, logs } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                assert.equal(res.statusCode, 500);
                assert.match(JSON.parse(logs[0]).detail, /ENDPOINT_KIND/);
                assert.equal(server.calls.length, 0);
            });
        });

        describe("the log line", function () {
            it("is one JSON object per request with the request's facts and none of its payload", async function () {
                env.set({ MODEL_NAMES: "iris" });
                const secret = JSON.stringify({ instances: [[4242.4242, 1.1, 2.2, 3.3]] });
                server.respondWith(replies.ok('{"predictions":["setosa-7777"]}', "application/json"));
                const { logs } = await run(handler, apiEvent({ path: "/models/iris/predict", body: secret, requestId: "req-log" }));

                assert.equal(logs.length, 1);
                const line = JSON.parse(logs[0]);
                assert.equal(line.requestId, "req-log");
                assert.equal(line.method, "POST");
                assert.equal(line.route, "/models/{name}/predict");
                assert.equal(line.targetModel, "iris.tar.gz");
                assert.equal(line.status, 200);
                assert.equal(line.requestBytes, Buffer.byteLength(secret));
                assert.equal(line.responseBytes, Buffer.byteLength('{"predictions":["setosa-7777"]}'));
                assert.equal(typeof line.latencyMs, "number");
                assert.ok(line.latencyMs >= line.invokeMs && line.invokeMs > 0);
                assert.equal(line.errorCode, undefined);
                assert.doesNotMatch(logs[0], /4242|setosa|7777/);
            });

            it("records the error code and the SageMaker error behind a failure", async function () {
                server.respondWith(replies.modelError(400, '{"message": "bad row 4242"}'));
                const { logs } = await run(handler, apiEvent({ path: "/predict", body: JSON_BODY }));

                const line = JSON.parse(logs[0]);
                assert.equal(line.status, 400);
                assert.equal(line.errorCode, "ModelError");
                assert.equal(line.upstreamError, "ModelError");
                assert.equal(line.modelStatus, 400);
                assert.doesNotMatch(logs[0], /4242/);
            });

            it("is written for requests rejected before SageMaker too", async function () {
                const { logs } = await run(handler, apiEvent({ method: "DELETE", path: "/predict" }));

                assert.equal(logs.length, 1);
                const line = JSON.parse(logs[0]);
                assert.equal(line.status, 405);
                assert.equal(line.route, "/predict");
                assert.equal(line.errorCode, "MethodNotAllowed");
                assert.equal(line.invokeMs, null);
            });
        });
    });
