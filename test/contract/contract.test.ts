/**
 * The contract's own facts: the route table a generator can walk, the limits derived from AWS's
 * quotas, and the JSON the serving container reads.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    API_GATEWAY_MAX_PAYLOAD_BYTES,
    EVENT_ENVELOPE_RESERVE_BYTES,
    LAMBDA_SYNC_PAYLOAD_BYTES,
    MAX_RESULT_JSON_BYTES,
    REQUEST_CONTENT_TYPES,
    requestBodyLimits,
    ROUTES,
    routesFor,
    SAGEMAKER_MAX_PAYLOAD_BYTES,
    sageMakerError,
    customAttributesProblem,
    modelError,
    API_ERRORS,
    GATEWAY_RESPONSES,
    gatewayResponseTemplate,
    type GatewayResponseType,
    renderGatewayTemplate,
    UNSHAPED_GATEWAY_ANSWERS,
} from "../../contract";
import { CONTAINER_CONTRACT_PATH, containerContractText } from "../../contract/container-json";

describe("the data-path contract", function () {
    describe("routes", function () {
        it("each carries a method, a path template, its kind of deployment and the content types it takes", function () {
            for (const route of ROUTES) {
                assert.match(route.method, /^(GET|POST)$/);
                assert.match(route.path, /^(\/([a-z]+|\{[a-z]+\}))+$/);
                assert.equal(typeof route.multiModel, "boolean");
                // Starting the prediction of an upload is the one POST without a body: the input is in S3.
                assert.equal(route.requestContentTypes.length > 0, route.method === "POST" && route.id !== "predictUpload", route.path);
                assert.ok(route.responseContentTypes.length > 0);
            }
            assert.deepEqual([...routesFor(false)[0].requestContentTypes], [...REQUEST_CONTENT_TYPES]);
        });

        it("single-model and multi-model deployments share no route", function () {
            const single = new Set(routesFor(false).map((r) => `${r.method} ${r.path}`));
            assert.ok(routesFor(true).every((r) => !single.has(`${r.method} ${r.path}`)));
            assert.deepEqual(
                routesFor(false).map((r) => `${r.method} ${r.path}`),
                ["POST /predict"],
            );
        });

        it("an asynchronous API adds the prediction and upload routes to POST /predict, and none of them is multi-model", function () {
            assert.deepEqual(
                routesFor(false, true).map((r) => `${r.method} ${r.path}`),
                ["POST /predict", "GET /predictions/{id}", "POST /uploads", "POST /uploads/{id}/predict"],
            );
            assert.deepEqual(routesFor(true, true), routesFor(true));
        });
    });

    describe("payload limits", function () {
        const MiB = 1024 * 1024;

        it("follow AWS's quotas: API Gateway 10 MB, Lambda 6 MB per event, InvokeEndpoint 6 MB (4 MB serverless), async inputs 1 GB", function () {
            assert.equal(API_GATEWAY_MAX_PAYLOAD_BYTES, 10 * MiB);
            assert.equal(LAMBDA_SYNC_PAYLOAD_BYTES, 6 * MiB);
            assert.deepEqual(SAGEMAKER_MAX_PAYLOAD_BYTES, { realtime: 6 * MiB, serverless: 4 * MiB, async: 1024 * MiB });
        });

        it("a binary body at the limit still fits the Lambda event base64-encoded, beside the largest envelope", function () {
            for (const kind of ["realtime", "serverless"] as const) {
                const { binary, text } = requestBodyLimits(kind);
                assert.ok(4 * Math.ceil(binary / 3) + EVENT_ENVELOPE_RESERVE_BYTES <= LAMBDA_SYNC_PAYLOAD_BYTES, kind);
                assert.ok(text + EVENT_ENVELOPE_RESERVE_BYTES < LAMBDA_SYNC_PAYLOAD_BYTES, kind);
                assert.ok(Math.max(text, binary) <= SAGEMAKER_MAX_PAYLOAD_BYTES[kind], kind);
            }
            assert.deepEqual(requestBodyLimits("realtime"), { text: 5_188_266, binary: 4_669_440 });
            assert.deepEqual(requestBodyLimits("serverless"), { text: 4 * MiB, binary: 4 * MiB });
        });
    });

    it("the README's Limits table shows the contract's numbers", function () {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Limits"), readme.indexOf("\n## ", readme.indexOf("## Limits") + 1));
        const rows = section.split("\n").filter((l) => l.startsWith("| "));
        const row = (what: string) => rows.find((r) => r.startsWith(`| ${what}`)) ?? "";
        const n = (x: number) => x.toLocaleString("en-US");
        for (const [what, key] of [
            ["text request body", "text"],
            ["binary request body", "binary"],
        ] as const) {
            const [, , realtime, serverless] = row(what)
                .split("|")
                .map((c) => c.trim());
            assert.ok(realtime.startsWith(`${n(requestBodyLimits("realtime")[key])} bytes`), `${what}: ${realtime}`);
            assert.ok(serverless.startsWith(`${n(requestBodyLimits("serverless")[key])} bytes`), `${what}: ${serverless}`);
        }
        assert.ok(row("answer").includes(n(MAX_RESULT_JSON_BYTES)));
    });

    it("SageMaker's errors carry their type the way the AWS SDK reads it", function () {
        const wire = sageMakerError("ValidationError", 400, "no such endpoint");
        assert.equal(wire.headers["x-amzn-ErrorType"].split(":")[0], "ValidationError");
        assert.deepEqual(JSON.parse(wire.body), { message: "no such endpoint" });
    });

    it("a ModelError has the fields of a real one: ErrorCode for a model's 4xx only, Message, the original status and message", function () {
        const client = JSON.parse(modelError("ep", 422, "bad column").body);
        assert.deepEqual(Object.keys(client), ["ErrorCode", "LogStreamArn", "Message", "OriginalMessage", "OriginalStatusCode"]);
        assert.equal(client.ErrorCode, "CLIENT_ERROR_FROM_MODEL");
        assert.match(client.Message, /^Received client error \(422\) from primary with message "bad column"/);
        assert.deepEqual([client.OriginalStatusCode, client.OriginalMessage], [422, "bad column"]);
        const server = JSON.parse(modelError("ep", 500, "boom").body);
        assert.equal(server.ErrorCode, undefined);
        assert.match(server.Message, /^Received server error \(500\)/);
        assert.equal(modelError("ep", 500, "boom").status, 424);
    });

    it("custom attributes follow InvokeEndpoint's rule: at most 1024 visible ASCII characters, spaces and tabs", function () {
        assert.equal(customAttributesProblem("trace=abc; user=a b\tc"), undefined);
        assert.equal(customAttributesProblem("x".repeat(1024)), undefined);
        assert.match(customAttributesProblem("x".repeat(1025)) ?? "", /1025 characters, more than the 1024/);
        for (const bad of ["caf\u00e9", "a\r\nInjected: 1", "nul\u0000"]) {
            assert.match(customAttributesProblem(bad) ?? "", /visible US-ASCII/, JSON.stringify(bad));
        }
    });

    describe("API Gateway's own answers", function () {
        const types = Object.keys(GATEWAY_RESPONSES) as GatewayResponseType[];

        it("each gateway response template renders the API's error shape, API Gateway's own message safely quoted", function () {
            for (const type of types) {
                const spec: { code: string; message?: string } = GATEWAY_RESPONSES[type];
                const rendered = renderGatewayTemplate(gatewayResponseTemplate(type), "req-1", 'quote " and \\ and\nnewline');
                const body = JSON.parse(rendered);
                assert.deepEqual(Object.keys(body.error), ["code", "message", "requestId"], type);
                assert.equal(body.error.code, spec.code, type);
                assert.equal(body.error.requestId, "req-1", type);
                assert.equal(body.error.message, spec.message ?? 'quote " and \\ and\nnewline', type);
            }
        });

        it("only the catch-alls use API Gateway's message; every other type says a constant of its own", function () {
            const own = types.filter((t) => gatewayResponseTemplate(t).includes("$context.error.messageString"));
            assert.deepEqual(own, ["DEFAULT_4XX", "DEFAULT_5XX"]);
        });

        it("keep each type's own status, which is the status of its code", function () {
            for (const type of types) {
                const spec: { code: keyof typeof API_ERRORS; status?: number } = GATEWAY_RESPONSES[type];
                if (spec.status !== undefined) assert.equal(API_ERRORS[spec.code], spec.status, type);
            }
        });

        it("the answers to a request too large are the captured ones, byte for byte (Content-Length 31 and 44)", function () {
            assert.equal(Buffer.byteLength(UNSHAPED_GATEWAY_ANSWERS.eventTooLarge.body), 31);
            assert.equal(Buffer.byteLength(UNSHAPED_GATEWAY_ANSWERS.bodyTooLarge.body), 44);
            assert.equal(
                UNSHAPED_GATEWAY_ANSWERS.bodyTooLarge.body,
                `HTTP content length exceeded ${API_GATEWAY_MAX_PAYLOAD_BYTES} bytes.`,
            );
        });
    });

    it("the serving container's contract.json is generated from the contract (npm run contract:json)", function () {
        const file = fs.readFileSync(path.join(__dirname, "..", "..", CONTAINER_CONTRACT_PATH), "utf8");
        assert.equal(file, containerContractText(), `${CONTAINER_CONTRACT_PATH} is stale: run npm run contract:json`);
    });
});
