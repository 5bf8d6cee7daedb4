/**
 * The local API Gateway with a recording handler: what is under test is the proxy event it builds
 * and what it enforces itself. The end-to-end tests put the real Lambda handler behind it.
 */
import { strict as assert } from "assert";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import {
    API_GATEWAY_MAX_PAYLOAD_BYTES as MAX_REQUEST_BYTES,
    gatewayResponseTemplate,
    LAMBDA_SYNC_PAYLOAD_BYTES,
    renderGatewayTemplate,
    UNSHAPED_GATEWAY_ANSWERS,
} from "../../contract";
import { openApiDocument } from "../../core/api/openapi";
import { resourcePathsFor } from "../../core/api/surface";
import { LocalGateway, matchResource, type ProxyHandler } from "../../local/gateway";
import { answerOf, conformanceChecker } from "../support/conformance";

/** The document of the API the gateway stands for: its answers must be ones it lists. */
const conforms = conformanceChecker(
    openApiDocument({ title: "t", serverUrl: "/", auth: "apiKey", multiModel: false, modelNames: ["m"], endpointKind: "realtime" }),
);

/** The answer `fetch` got, checked against the document's POST /predict; its body as text. */
async function documented(res: Response): Promise<{ status: number; text: string; headers: Headers }> {
    const answer = await answerOf(res);
    assert.equal(conforms("/predict", "POST", answer), "");
    return { status: answer.status, text: answer.body.toString(), headers: answer.headers };
}

describe("local twin: API Gateway proxy", () => {
    let gateway: LocalGateway;
    let base: string;
    let events: APIGatewayProxyEvent[];
    let contexts: Context[];
    let answer: ProxyHandler;

    async function start(
        extra: { apiKey?: string; integrationTimeoutMs?: number; multiModel?: boolean; corsAllowOrigins?: string[] } = { apiKey: "k3y" },
    ): Promise<void> {
        gateway = new LocalGateway({
            handler: (event, context) => {
                events.push(event);
                contexts.push(context);
                return answer(event, context);
            },
            ...extra,
        });
        base = `http://127.0.0.1:${await gateway.listen(0)}`;
    }

    beforeEach(() => {
        events = [];
        contexts = [];
        answer = async () => ({ statusCode: 200, headers: { "Content-Type": "application/json" }, body: '{"ok":true}' });
    });
    afterEach(async () => gateway?.close());

    it("builds the REST proxy event: method, path, resource, headers as sent, query, text body, request context", async () => {
        await start({ apiKey: "k3y", multiModel: true });
        const res = await fetch(`${base}/models/iris/predict?a=1&a=2&b=x`, {
            method: "POST",
            headers: { "x-api-key": "k3y", "Content-Type": "application/json", "X-Custom": "v" },
            body: '{"instances": [[1, 2]]}',
        });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { ok: true });
        const e = events[0];
        assert.equal(e.httpMethod, "POST");
        assert.equal(e.path, "/models/iris/predict");
        assert.equal(e.resource, "/models/{name}/predict");
        assert.deepEqual(e.pathParameters, { name: "iris" });
        assert.equal(e.headers["X-Custom"], "v");
        assert.deepEqual(e.multiValueHeaders["X-Custom"], ["v"]);
        assert.deepEqual(e.queryStringParameters, { a: "2", b: "x" });
        assert.deepEqual(e.multiValueQueryStringParameters, { a: ["1", "2"], b: ["x"] });
        assert.equal(e.body, '{"instances": [[1, 2]]}');
        assert.equal(e.isBase64Encoded, false);
        assert.equal(e.requestContext.stage, "local");
        assert.equal(e.requestContext.identity.apiKey, "k3y");
        assert.match(e.requestContext.requestId, /^[0-9a-f-]{36}$/);
        assert.equal(res.headers.get("x-amzn-requestid"), e.requestContext.requestId);
        assert.ok(contexts[0].getRemainingTimeInMillis() > 20_000);
    });

    it("gives every request a fresh requestId and no query a null queryStringParameters", async () => {
        await start();
        await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" });
        await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" });
        assert.notEqual(events[0].requestContext.requestId, events[1].requestContext.requestId);
        assert.equal(events[0].queryStringParameters, null);
    });

    it("passes binary bodies base64-encoded and decodes base64 results back to bytes for a client accepting them", async () => {
        await start();
        const bytes = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x00, 0xff]);
        answer = async (e) => ({ statusCode: 200, headers: { "Content-Type": "application/x-npy" }, body: e.body!, isBase64Encoded: true });
        const headers = { "x-api-key": "k3y", "Content-Type": "application/x-npy" };
        const res = await fetch(`${base}/predict`, { method: "POST", headers: { ...headers, Accept: "application/x-npy" }, body: bytes });
        assert.equal(events[0].isBase64Encoded, true);
        assert.equal(events[0].body, bytes.toString("base64"));
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
        assert.equal(res.headers.get("content-type"), "application/x-npy");
        // As API Gateway does: without a binary Accept the client gets the base64 text.
        const text = await fetch(`${base}/predict`, { method: "POST", headers, body: bytes });
        assert.equal(await text.text(), bytes.toString("base64"));
    });

    it("routes known paths to their resource and everything else to /{proxy+}", async () => {
        await start({ apiKey: "k3y", multiModel: true });
        for (const p of ["/models", "/nowhere/else"]) {
            await fetch(`${base}${p}`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" });
        }
        await gateway.close();
        await start();
        await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" });
        assert.deepEqual(
            events.map((e) => [e.resource, e.pathParameters]),
            [
                ["/models", null],
                ["/{proxy+}", { proxy: "nowhere/else" }],
                ["/predict", null],
            ],
        );
    });

    it("names the REST API's own resource for each path, and the catch-all for any other, for each kind of deployment", () => {
        for (const multiModel of [false, true]) {
            const routed = resourcePathsFor(multiModel).filter((p) => p.length > 0 && p[0] !== "{proxy+}");
            assert.ok(routed.length > 0);
            for (const segments of routed) {
                const resource = `/${segments.join("/")}`;
                assert.equal(matchResource(resource.replace("{name}", "iris"), multiModel).resource, resource, resource);
            }
            assert.deepEqual(matchResource("/nowhere/else", multiModel), {
                resource: "/{proxy+}",
                pathParameters: { proxy: "nowhere/else" },
            });
            assert.deepEqual(matchResource("/", multiModel), { resource: "/", pathParameters: null });
        }
    });

    it("routes by the deployment's own resources: /models/{name} exists only on a multi-model API", async () => {
        await start({ apiKey: "k3y", multiModel: true });
        await fetch(`${base}/models/iris`, { headers: { "x-api-key": "k3y" } });
        await gateway.close();
        await start({ apiKey: "k3y", multiModel: false });
        await fetch(`${base}/models/iris`, { headers: { "x-api-key": "k3y" } });
        assert.deepEqual(
            events.map((e) => [e.resource, e.pathParameters]),
            [
                ["/models/{name}", { name: "iris" }],
                ["/{proxy+}", { proxy: "models/iris" }],
            ],
        );
    });

    it("hands a text body that is not UTF-8 over as API Gateway does: a string with U+FFFD, not base64", async () => {
        await start();
        const bytes = Buffer.concat([Buffer.from('{"instances": [[1, 2]], "id": "'), Buffer.from([0xff, 0xc3]), Buffer.from('"}')]);
        await fetch(`${base}/predict`, {
            method: "POST",
            headers: { "x-api-key": "k3y", "Content-Type": "application/json" },
            body: bytes,
        });
        assert.equal(events[0].isBase64Encoded, false);
        assert.equal(events[0].body, '{"instances": [[1, 2]], "id": "\uFFFD\uFFFD"}');
    });

    it("a base64 result stays base64 text unless the first Accept type is binary, as API Gateway decides", async () => {
        await start();
        const bytes = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
        answer = async () => ({
            statusCode: 200,
            headers: { "Content-Type": "application/x-npy" },
            body: bytes.toString("base64"),
            isBase64Encoded: true,
        });
        const headers = { "x-api-key": "k3y", "Content-Type": "application/json" };
        const second = await fetch(`${base}/predict`, {
            method: "POST",
            headers: { ...headers, Accept: "application/json, application/x-npy" },
            body: "1",
        });
        assert.equal(await second.text(), bytes.toString("base64"));
        const first = await fetch(`${base}/predict`, {
            method: "POST",
            headers: { ...headers, Accept: "application/x-npy, application/json" },
            body: "1",
        });
        assert.deepEqual(Buffer.from(await first.arrayBuffer()), bytes);
    });

    it("an event over Lambda's 6 MB payload limit never reaches the handler: API Gateway's 413, unshaped, as AWS answers it", async () => {
        await start();
        const body = Buffer.alloc(LAMBDA_SYNC_PAYLOAD_BYTES, 0x31);
        const res = await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y", "Content-Type": "text/csv" }, body });
        const { status, text, headers } = await documented(res);
        const expected = UNSHAPED_GATEWAY_ANSWERS.eventTooLarge;
        assert.deepEqual(
            [status, text, headers.get("content-type"), headers.get("x-amzn-errortype")],
            [expected.status, expected.body, expected.headers["Content-Type"], expected.headers["x-amzn-ErrorType"]],
        );
        assert.equal(text.length, 31, "the captured answer's Content-Length");
        assert.match(headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
        assert.equal(events.length, 0);
    });

    it("with CORS, lets a preflight through without the API key and puts CORS headers on its own errors", async () => {
        const origin = "https://app.example.com";
        await start({ apiKey: "k3y", corsAllowOrigins: [origin] });
        answer = async () => ({ statusCode: 204, body: "" });
        const preflight = await fetch(`${base}/predict`, { method: "OPTIONS", headers: { Origin: origin } });
        assert.equal(preflight.status, 204);
        assert.equal(events.length, 1);
        const denied = await fetch(`${base}/predict`, { method: "POST", headers: { Origin: origin }, body: "{}" });
        assert.equal(denied.status, 403);
        assert.equal(denied.headers.get("access-control-allow-origin"), origin);
        // What no gateway response shapes has no CORS headers either.
        const huge = await fetch(`${base}/predict`, {
            method: "POST",
            headers: { Origin: origin },
            body: Buffer.alloc(MAX_REQUEST_BYTES + 1),
        });
        assert.equal(huge.status, 413);
        assert.equal(huge.headers.get("access-control-allow-origin"), null);
    });

    it("with several allowed origins its own errors allow none, as API Gateway's fixed gateway responses cannot choose", async () => {
        const origins = ["https://app.example.com", "http://localhost:3000"];
        await start({ apiKey: "k3y", corsAllowOrigins: origins });
        for (const origin of [...origins, "https://evil.example"]) {
            const denied = await fetch(`${base}/predict`, { method: "POST", headers: { Origin: origin }, body: "{}" });
            assert.equal(denied.status, 403);
            assert.equal(denied.headers.get("access-control-allow-origin"), null, origin);
            assert.equal(denied.headers.get("vary"), "Origin");
        }
    });

    it("without CORS, OPTIONS needs the API key like every other method", async () => {
        await start();
        const res = await fetch(`${base}/predict`, { method: "OPTIONS", headers: { Origin: "https://app.example.com" } });
        assert.equal(res.status, 403);
        assert.equal(res.headers.get("access-control-allow-origin"), null);
        assert.equal(events.length, 0);
    });

    it("answers 403 Forbidden without the API key or with a wrong one, and never calls the handler", async () => {
        await start();
        for (const headers of [{}, { "x-api-key": "wrong" }, { "x-api-key": "k3y-but-longer" }] as Record<string, string>[]) {
            const {
                status,
                text,
                headers: answered,
            } = await documented(await fetch(`${base}/predict`, { method: "POST", headers, body: "{}" }));
            assert.equal(status, 403);
            // Byte for byte what the component's INVALID_API_KEY gateway response renders on AWS.
            const requestId = answered.get("x-amzn-requestid")!;
            assert.equal(text, renderGatewayTemplate(gatewayResponseTemplate("INVALID_API_KEY"), requestId, "Forbidden"));
            assert.equal(JSON.parse(text).error.code, "Forbidden");
        }
        assert.equal(events.length, 0);
    });

    it("compares the API key byte for byte: the same key in another letter case is refused", async () => {
        await start({ apiKey: "k3y-Key" });
        for (const key of ["K3Y-KEY", "k3y-key"]) {
            const res = await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": key }, body: "{}" });
            assert.equal(res.status, 403, key);
        }
        const res = await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y-Key" }, body: "{}" });
        assert.equal(res.status, 200);
        assert.equal(events.length, 1);
    });

    it("without an API key configured, lets every request through", async () => {
        await start({});
        const res = await fetch(`${base}/predict`, { method: "POST", body: "{}" });
        assert.equal(res.status, 200);
    });

    it("answers 413 above API Gateway's 10 MB limit without calling the handler, in plain text and without a request id, as AWS does", async () => {
        await start();
        const res = await fetch(`${base}/predict`, {
            method: "POST",
            headers: { "x-api-key": "k3y" },
            body: Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x31),
        });
        const { status, text, headers } = await documented(res);
        assert.deepEqual(
            [status, headers.get("content-type"), text],
            [413, "text; charset=utf-8", UNSHAPED_GATEWAY_ANSWERS.bodyTooLarge.body],
        );
        assert.equal(text.length, 44, "the captured answer's Content-Length");
        assert.equal(headers.get("x-amzn-requestid"), null);
        assert.equal(events.length, 0);
    });

    it("a handler that throws or returns no valid proxy result is API Gateway's 502, in the API's error shape", async () => {
        await start();
        answer = async () => {
            throw new Error("secret stack");
        };
        let res = await documented(await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" }));
        assert.equal(res.status, 502);
        assert.deepEqual(JSON.parse(res.text).error, {
            code: "GatewayError",
            message: "Internal server error",
            requestId: res.headers.get("x-amzn-requestid"),
        });
        assert.ok(!res.text.includes("secret"));
        answer = async () => ({ body: "no status" }) as unknown as APIGatewayProxyResult;
        res = await documented(await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" }));
        assert.equal(res.status, 502);
        assert.equal(JSON.parse(res.text).error.code, "GatewayError");
    });

    it("gives the handler API Gateway's 29-second integration timeout unless told otherwise", async () => {
        await start({ apiKey: "k3y" });
        await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" });
        const remaining = contexts[0].getRemainingTimeInMillis();
        assert.ok(remaining > 28_000 && remaining <= 29_000, `${remaining} ms left`);
    });

    it("a handler slower than the integration timeout is API Gateway's 504", async () => {
        await start({ apiKey: "k3y", integrationTimeoutMs: 200 });
        answer = () => new Promise((r) => setTimeout(() => r({ statusCode: 200, body: "late" }), 1_000));
        const res = await documented(await fetch(`${base}/predict`, { method: "POST", headers: { "x-api-key": "k3y" }, body: "1" }));
        assert.equal(res.status, 504);
        assert.equal(JSON.parse(res.text).error.code, "GatewayTimeout");
    });

    it("a taken port is refused with EADDRINUSE", async () => {
        await start();
        const port = Number(new URL(base).port);
        const second = new LocalGateway({ handler: answer });
        await assert.rejects(second.listen(port), { code: "EADDRINUSE" });
    });
});
