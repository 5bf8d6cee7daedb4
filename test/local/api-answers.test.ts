/**
 * Every answer the twin gives, against its own OpenAPI document: a corpus of good requests (every content
 * type in and out) and bad ones (every error a caller can cause, the model's own 4xx and failures, API
 * Gateway's refusals), each answer checked for its status and code and validated against the operation's
 * status list and schemas. The model's code echoes custom attributes, rejects, fails or answers too much on
 * purpose, so the model's side of the document is exercised too.
 */
import { InvokeEndpointCommand } from "@aws-sdk/client-sagemaker-runtime";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HEADERS, LAMBDA_SYNC_PAYLOAD_BYTES, requestBodyLimits, API_GATEWAY_MAX_PAYLOAD_BYTES } from "../../contract";
import { npyOf } from "../../core/api/npy";
import { type Answer, answerOf, conformanceChecker } from "../support/conformance";
import { schemaChecker } from "../support/documents";
import { fitModel, fromNpy, type ReadyLine, runtimeClient, TwinProcess } from "./support";

const KEY = "answers-test-key-0123456789";
const ROW = [5.1, 3.5, 1.4, 0.2];

/** predict_fn with the toolkit's trailing context: echoes custom attributes, and on a marker in the first feature rejects (422), fails, or answers 5.6 MB. */
const INFERENCE = `
import numpy as np

class Rejected(Exception):
    def __init__(self, message, status_code):
        super().__init__(message)
        self.status_code = status_code

def predict_fn(data, model, context):
    sent = context.get_request_header(0, "X-Amzn-SageMaker-Custom-Attributes")
    if sent is not None:
        context.set_response_header(0, "X-Amzn-SageMaker-Custom-Attributes", "echo=" + sent)
    rows = np.asarray(data, dtype=float)
    if rows.ndim != 2 or rows.shape[1] != model.n_features_in_:
        raise Rejected(f"expected {model.n_features_in_} features per row", 400)
    marker = rows[0][0]
    if marker == -1:
        raise Rejected("a first feature of -1 is not a flower", 422)
    if marker == -2:
        raise RuntimeError("secret-detail: the model blew up")
    if marker == -3:
        return np.zeros(700_000)
    return model.predict(rows)
`;

interface Case {
    label: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Sent without the API key. */
    noKey?: boolean;
    status: number;
    /** The error code, or a check of the 200. */
    expect: string | ((answer: Answer) => void);
}

const json = (value: unknown) => JSON.stringify(value);
const rows = (first: number) => ({ instances: [[first, ...ROW.slice(1)]] });
const predictions = (answer: Answer) => {
    const body = JSON.parse(answer.body.toString());
    return Array.isArray(body) ? body : (body.predictions ?? body.outputs);
};

describe("local twin: every answer as its OpenAPI document says", function () {
    this.timeout(180_000);
    let tmp: string;
    let twin: TwinProcess;
    let ready: ReadyLine & { runtimeUrl: string; endpointName: string };
    let doc: any;
    let expected: number;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-answers-"));
        const model = fitModel(path.join(tmp, "iris"));
        expected = model.predictions[0];
        fs.mkdirSync(path.join(model.dir, "code"));
        fs.writeFileSync(path.join(model.dir, "code", "inference.py"), INFERENCE);
        twin = new TwinProcess(["--port", "0", "--api-key", KEY, `iris=${model.dir}`]);
        ready = (await twin.ready()) as typeof ready;
        doc = await (await fetch(`${ready.url}/openapi.json`)).json();
    });
    after(async () => {
        await twin?.kill(ready?.serverPid);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    const JSON_HEADERS = { "Content-Type": "application/json" };
    const cases = (): Case[] => [
        {
            label: "JSON instances",
            headers: JSON_HEADERS,
            body: json({ instances: [ROW] }),
            status: 200,
            expect: (a) => assert.deepEqual(predictions(a), [expected]),
        },
        {
            label: "JSON inputs",
            headers: JSON_HEADERS,
            body: json({ inputs: [ROW] }),
            status: 200,
            expect: (a) => assert.deepEqual(predictions(a), [expected]),
        },
        {
            label: "a bare JSON list",
            headers: JSON_HEADERS,
            body: json([ROW]),
            status: 200,
            expect: (a) => assert.deepEqual(predictions(a), [expected]),
        },
        {
            label: "JSON with parameters in its Content-Type",
            headers: { "Content-Type": "application/json; charset=utf-8" },
            body: json([ROW]),
            status: 200,
            expect: (a) => assert.deepEqual(predictions(a), [expected]),
        },
        {
            label: "JSON without a Content-Type",
            body: Buffer.from(json([ROW])),
            status: 200,
            expect: (a) => assert.deepEqual(predictions(a), [expected]),
        },
        {
            label: "JSON, CSV answer",
            headers: { ...JSON_HEADERS, Accept: "text/csv" },
            body: json([ROW]),
            status: 200,
            expect: (a) => assert.equal(a.body.toString().trim(), String(expected)),
        },
        {
            label: "JSON, NPY answer",
            headers: { ...JSON_HEADERS, Accept: "application/x-npy" },
            body: json([ROW]),
            status: 200,
            expect: (a) => assert.deepEqual(fromNpy(a.body), [expected]),
        },
        {
            label: "CSV",
            headers: { "Content-Type": "text/csv" },
            body: `${ROW.join(",")}\n`,
            status: 200,
            expect: (a) => assert.deepEqual(predictions(a), [expected]),
        },
        {
            label: "CSV, CSV answer",
            headers: { "Content-Type": "text/csv", Accept: "text/csv" },
            body: `${ROW.join(",")}\n`,
            status: 200,
            expect: (a) => assert.equal(a.body.toString().trim(), String(expected)),
        },
        {
            label: "NPY",
            headers: { "Content-Type": "application/x-npy" },
            body: npyOf([ROW]),
            status: 200,
            expect: (a) => assert.deepEqual(predictions(a), [expected]),
        },
        {
            label: "NPY, NPY answer",
            headers: { "Content-Type": "application/x-npy", Accept: "application/x-npy" },
            body: npyOf([ROW]),
            status: 200,
            expect: (a) => assert.deepEqual(fromNpy(a.body), [expected]),
        },
        {
            label: "custom attributes, echoed by the model's code",
            headers: { ...JSON_HEADERS, [HEADERS.customAttributes]: "trace=abc; user=1" },
            body: json([ROW]),
            status: 200,
            expect: (a) => assert.equal(a.headers.get(HEADERS.customAttributes), "echo=trace=abc; user=1"),
        },
        { label: "malformed JSON", headers: JSON_HEADERS, body: '{"instances": [[5.1,', status: 400, expect: "BadRequest" },
        { label: "an empty body", headers: JSON_HEADERS, body: "", status: 400, expect: "BadRequest" },
        {
            label: "JSON that is not UTF-8",
            headers: JSON_HEADERS,
            body: Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]),
            status: 400,
            expect: "BadRequest",
        },
        {
            label: "custom attributes over 1024 characters",
            headers: { ...JSON_HEADERS, [HEADERS.customAttributes]: "x".repeat(1025) },
            body: json([ROW]),
            status: 400,
            expect: "BadRequest",
        },
        {
            label: "too few features, the model's 400",
            headers: JSON_HEADERS,
            body: json({ instances: [[5.1]] }),
            status: 400,
            expect: "ModelError",
        },
        { label: "no API key", headers: JSON_HEADERS, body: json([ROW]), noKey: true, status: 403, expect: "Forbidden" },
        {
            label: "a wrong API key",
            headers: { ...JSON_HEADERS, "x-api-key": "wrong" },
            body: json([ROW]),
            status: 403,
            expect: "Forbidden",
        },
        {
            label: "NPY accepted but not first",
            headers: { ...JSON_HEADERS, Accept: "application/json;q=0, application/x-npy" },
            body: json([ROW]),
            status: 406,
            expect: "NotAcceptable",
        },
        {
            label: "a type only the model could know, the model's 406",
            headers: { ...JSON_HEADERS, Accept: "text/html" },
            body: json([ROW]),
            status: 406,
            expect: "ModelError",
        },
        {
            label: "a text body one byte over the limit",
            headers: { "Content-Type": "text/csv" },
            body: "a".repeat(requestBodyLimits("realtime").text + 1),
            status: 413,
            expect: "PayloadTooLarge",
        },
        {
            label: "a body whose Lambda event exceeds 6 MB (API Gateway's own 413)",
            headers: { "Content-Type": "text/csv" },
            body: "a".repeat(LAMBDA_SYNC_PAYLOAD_BYTES),
            status: 413,
            expect: (a) => assert.equal(a.body.toString(), '{"message": "Request Too Long"}'),
        },
        {
            label: "a body over 10 MB (API Gateway's own 413)",
            headers: { "Content-Type": "text/csv" },
            body: Buffer.alloc(API_GATEWAY_MAX_PAYLOAD_BYTES + 1, 0x61),
            status: 413,
            expect: (a) => assert.match(a.body.toString(), /^HTTP content length exceeded/),
        },
        {
            label: "an XML body",
            headers: { "Content-Type": "application/xml" },
            body: "<rows/>",
            status: 415,
            expect: "UnsupportedMediaType",
        },
        { label: "the model's own 422", headers: JSON_HEADERS, body: json(rows(-1)), status: 422, expect: "ModelError" },
        { label: "the model failing", headers: JSON_HEADERS, body: json(rows(-2)), status: 500, expect: "ModelFailure" },
        {
            label: "an answer too large for the API",
            headers: { ...JSON_HEADERS, Accept: "application/x-npy" },
            body: json(rows(-3)),
            status: 502,
            expect: "ResponseTooLarge",
        },
    ];

    it("the checker used here refuses an answer the document does not list", () => {
        const conforms = conformanceChecker(doc);
        const answer = (status: number, body: string) => ({
            status,
            headers: new Headers({ "Content-Type": "application/json", "x-amzn-RequestId": "r" }),
            body: Buffer.from(body),
        });
        const error = (code: string) => JSON.stringify({ error: { code, message: "m", requestId: "r" } });
        assert.equal(conforms("/predict", "POST", answer(404, error("NotFound"))).includes("not listed"), false, "404 falls in 4XX");
        assert.match(conforms("/predict", "POST", answer(404, error("NotFound"))), /NotFound|enum|allowed/);
        assert.match(conforms("/predict", "POST", answer(418, '{"message": "teapot"}')), /not in the API's shape/);
        assert.match(conforms("/predict", "POST", answer(301, "{}")), /not listed/);
        assert.equal(conforms("/predict", "POST", answer(415, error("UnsupportedMediaType"))), "");
    });

    it("answers every request of the corpus with its status and code, each answer one the document lists", async () => {
        const conforms = conformanceChecker(doc);
        const seen: string[] = [];
        for (const c of cases()) {
            const headers: Record<string, string> = { ...(c.noKey || c.headers?.["x-api-key"] ? {} : { "x-api-key": KEY }), ...c.headers };
            const answer = await answerOf(await fetch(`${ready.url}/predict`, { method: "POST", headers, body: c.body }));
            const text = answer.body.toString().slice(0, 300);
            assert.equal(answer.status, c.status, `${c.label}: ${text}`);
            if (typeof c.expect === "string") assert.equal(JSON.parse(answer.body.toString()).error.code, c.expect, c.label);
            else c.expect(answer);
            assert.equal(conforms("/predict", "POST", answer), "", c.label);
            assert.ok(!text.includes("secret-detail"), `${c.label} leaks the model's exception`);
            seen.push(`${c.status}`);
        }
        // Every error status of the operation that a caller can cause on purpose was answered at least once.
        const documented = Object.keys(doc.paths["/predict"].post.responses);
        const causable = documented.filter((s) => !["429", "503", "504"].includes(s) && s !== "4XX");
        assert.deepEqual(
            causable.filter((s) => !seen.includes(s)),
            [],
            `statuses the corpus never produced: ${causable.filter((s) => !seen.includes(s))}`,
        );
    });

    it("answers a path or a method no operation has in the API's error shape (404, 405 with Allow)", async () => {
        const check = schemaChecker(doc);
        for (const [url, method, status, code] of [
            [`${ready.url}/nowhere`, "POST", 404, "NotFound"],
            [`${ready.url}/predict`, "GET", 405, "MethodNotAllowed"],
        ] as const) {
            const res = await fetch(url, { method, headers: { "x-api-key": KEY } });
            const body = (await res.json()) as { error: { code: string; requestId: string } };
            assert.equal(res.status, status);
            if (status === 405) assert.equal(res.headers.get("allow"), "POST");
            assert.equal(check({ $ref: "#/components/schemas/Error" }, body), "");
            assert.deepEqual([body.error.code, body.error.requestId], [code, res.headers.get("x-amzn-requestid")]);
        }
    });

    it("returns the custom attributes the model's code sets to an AWS SDK caller of the runtime, as CustomAttributes", async () => {
        const client = runtimeClient(ready.runtimeUrl);
        try {
            const out = await client.send(
                new InvokeEndpointCommand({
                    EndpointName: ready.endpointName,
                    ContentType: "application/json",
                    Body: Buffer.from(json([ROW])),
                    CustomAttributes: "trace=sdk",
                }),
            );
            assert.equal(out.CustomAttributes, "echo=trace=sdk");
            assert.deepEqual(JSON.parse(Buffer.from(out.Body!).toString()), [expected]);
        } finally {
            client.destroy();
        }
    });
});
