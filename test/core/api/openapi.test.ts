/**
 * The OpenAPI 3 document (core/api/openapi.ts): it validates against the OpenAPI 3 schema and describes the
 * routes, bodies, errors and auth of the deployment it belongs to.
 */
import { strict as assert } from "assert";
import { openApiErrors, schemaChecker } from "../../support/documents";
import { ApiAuth } from "../../../components";
import { apiSurface } from "../../../core/api/surface";
import { EXPECTED_STATUS, openApiDocument, OpenApiOptions, UNSHAPED_ANSWERS } from "../../../core/api/openapi";
import { HEADERS, requestBodyLimits, routesFor, UNSHAPED_GATEWAY_ANSWERS, VARIANT_HEADER } from "../../../contract";

const base: OpenApiOptions = {
    title: "iris",
    serverUrl: "https://api123.execute-api.us-east-1.amazonaws.com/v1",
    auth: ApiAuth.ApiKey,
    multiModel: false,
    modelNames: ["iris"],
    endpointKind: "realtime",
};
const multi: OpenApiOptions = { ...base, title: "models", multiModel: true, modelNames: ["iris", "wine"] };

describe("OpenAPI document", () => {
    for (const [label, opts] of [
        ["single model, API key", base],
        ["multi-model, API key", multi],
        ["IAM auth", { ...base, auth: ApiAuth.Iam }],
        ["no auth, serverless", { ...base, auth: ApiAuth.None, endpointKind: "serverless" }],
        ["asynchronous, API key", { ...base, endpointKind: "async" }],
        ["asynchronous, IAM auth", { ...base, auth: ApiAuth.Iam, endpointKind: "async" }],
    ] as [string, OpenApiOptions][]) {
        it(`validates against the OpenAPI 3 schema: ${label}`, async () => {
            assert.equal(await openApiErrors(openApiDocument(opts)), "");
        });
    }

    it("documents an asynchronous API's routes with the statuses its Lambda answers, and leaves synchronous documents without them", () => {
        const doc = openApiDocument({ ...base, endpointKind: "async" }) as any;
        const statuses = (route: string, method: string) => Object.keys(doc.paths[route][method].responses).sort();
        assert.deepEqual(Object.keys(doc.paths), ["/predict", "/predictions/{id}", "/uploads", "/uploads/{id}/predict"]);
        assert.ok(statuses("/predict", "post").includes("202") && !statuses("/predict", "post").includes("200"));
        assert.ok(!doc.paths["/predict"].post.responses["400"].content["application/json"].examples.ModelError);
        for (const status of ["200", "202", "303", "400", "403", "404", "4XX", "500", "504"]) {
            assert.ok(statuses("/predictions/{id}", "get").includes(status), status);
        }
        assert.deepEqual(
            ["201", "400", "413"].filter((s) => statuses("/uploads", "post").includes(s)),
            ["201", "400", "413"],
        );
        assert.ok(statuses("/uploads/{id}/predict", "post").includes("404"));
        assert.ok(statuses("/uploads/{id}/predict", "post").includes("202"));

        const sync = openApiDocument(base) as any;
        assert.deepEqual(Object.keys(sync.paths), ["/predict"]);
        assert.equal(sync.components.schemas.Upload, undefined);
    });

    it("the validator used here rejects a broken document", async () => {
        const doc = openApiDocument(base) as any;
        delete doc.info;
        assert.notEqual(await openApiErrors(doc), "");
    });

    it("lists exactly the statuses each operation can answer: no 404 or 405 on a known route, 404 where a model is named", () => {
        const statuses = (opts: OpenApiOptions, path: string, method: string) =>
            Object.keys((openApiDocument(opts) as any).paths[path][method].responses).sort();
        const predict = ["200", "400", "403", "406", "413", "415", "429", "4XX", "500", "502", "503", "504"];
        assert.deepEqual(statuses(base, "/predict", "post"), predict);
        assert.deepEqual(statuses(multi, "/models/{name}/predict", "post"), [...predict, "404"].sort());
        assert.deepEqual(statuses(multi, "/models", "get"), ["200", "403", "429", "500", "502", "504"]);
        assert.deepEqual(statuses({ ...multi, auth: ApiAuth.None }, "/models", "get"), ["200", "429", "500", "502", "504"]);
        assert.deepEqual(
            statuses({ ...base, auth: ApiAuth.None }, "/predict", "post"),
            predict.filter((s) => s !== "403"),
        );
    });

    it("gives every error status the error shape with its codes, and an example per code that the shape accepts", () => {
        for (const opts of [base, multi, { ...base, auth: ApiAuth.Iam }]) {
            const doc = openApiDocument(opts) as any;
            const check = schemaChecker(doc);
            for (const [path, ops] of Object.entries<any>(doc.paths)) {
                for (const [method, op] of Object.entries<any>(ops)) {
                    for (const [status, response] of Object.entries<any>(op.responses)) {
                        if (status === "200") continue;
                        const { schema, examples } = response.content["application/json"];
                        const codes = Object.keys(examples).filter((k) => !k.startsWith("apiGateway"));
                        assert.ok(codes.length > 0, `${method} ${path} ${status} has no example`);
                        for (const [name, example] of Object.entries<any>(examples)) {
                            assert.equal(check(schema, example.value), "", `${method} ${path} ${status} ${name}`);
                            if (!name.startsWith("apiGateway")) assert.equal(example.value.error.code, name);
                        }
                        // A code the status does not list is refused.
                        assert.notEqual(check(schema, { error: { code: "NotACode", message: "m", requestId: "r" } }), "");
                    }
                }
            }
        }
    });

    it("documents the model's own 4xx: a 4XX range with code ModelError, and ModelError beside every 4xx status of a prediction", () => {
        const responses = (openApiDocument(multi) as any).paths["/models/{name}/predict"].post.responses;
        assert.deepEqual(Object.keys(responses["4XX"].content["application/json"].examples), ["ModelError"]);
        assert.match(responses["4XX"].description, /Any other 4xx the model answers/);
        for (const status of ["400", "404", "406", "413", "415", "429"]) {
            assert.ok("ModelError" in responses[status].content["application/json"].examples, status);
        }
        const list = (openApiDocument(multi) as any).paths["/models"].get.responses;
        assert.equal(list["4XX"], undefined, "GET /models asks no model");
    });

    it("documents API Gateway's own errors per auth: the API key's 403, SigV4's four, the quota only with API keys", () => {
        const codes = (opts: OpenApiOptions, status: string) =>
            Object.keys((openApiDocument(opts) as any).paths["/predict"].post.responses[status].content["application/json"].examples);
        assert.deepEqual(codes(base, "403"), ["Forbidden", "ModelError"]);
        assert.deepEqual(codes({ ...base, auth: ApiAuth.Iam }, "403"), [
            "MissingAuthenticationToken",
            "InvalidSignature",
            "ExpiredToken",
            "AccessDenied",
            "ModelError",
        ]);
        assert.deepEqual(codes(base, "429"), ["TooManyRequests", "QuotaExceeded", "ModelError"]);
        assert.deepEqual(codes({ ...base, auth: ApiAuth.Iam }, "429"), ["TooManyRequests", "ModelError"]);
        assert.deepEqual(codes(base, "502"), ["ResponseTooLarge", "GatewayError"]);
        assert.deepEqual(codes(base, "504"), ["GatewayTimeout", "GatewayError"]);
    });

    it("shows API Gateway's two 413s that AWS does not let be customised, exactly as sent", () => {
        const response = (openApiDocument(base) as any).paths["/predict"].post.responses["413"];
        assert.deepEqual(response[UNSHAPED_ANSWERS], [UNSHAPED_GATEWAY_ANSWERS.eventTooLarge, UNSHAPED_GATEWAY_ANSWERS.bodyTooLarge]);
        assert.deepEqual(response.content["application/json"].examples.apiGateway.value, { message: "Request Too Long" });
        assert.ok(response.description.includes("HTTP content length exceeded 10485760 bytes."));
    });

    it("takes and returns the custom attributes header as InvokeEndpoint's CustomAttributes, with SageMaker's limit", () => {
        const op = (openApiDocument(base) as any).paths["/predict"].post;
        const parameter = op.parameters.find((p: any) => p.name === HEADERS.customAttributes);
        assert.deepEqual([parameter.in, parameter.required, parameter.schema.maxLength], ["header", false, 1024]);
        assert.deepEqual(op.responses["200"].headers[HEADERS.customAttributes].schema, parameter.schema);
        const check = schemaChecker(openApiDocument(base));
        assert.equal(check(parameter.schema, "trace=1; user=a b"), "");
        assert.notEqual(check(parameter.schema, "x".repeat(1025)), "");
        assert.notEqual(check(parameter.schema, "caf\u00e9"), "");
    });

    it("names the answering model version on every prediction, and offers pinning only when there are versions to pin", () => {
        const single = (openApiDocument(base) as any).paths["/predict"].post;
        assert.equal(
            single.parameters.some((p: any) => p.name === VARIANT_HEADER),
            false,
        );
        assert.deepEqual(single.responses["200"].headers[VARIANT_HEADER].schema, { type: "string" });

        const doc = openApiDocument({ ...base, variantNames: ["v1", "v2"] }) as any;
        const op = doc.paths["/predict"].post;
        const parameter = op.parameters.find((p: any) => p.name === VARIANT_HEADER);
        assert.deepEqual([parameter.in, parameter.required, parameter.schema.enum], ["header", false, ["v1", "v2"]]);
        assert.deepEqual(op.responses["200"].headers[VARIANT_HEADER].schema.enum, ["v1", "v2"]);
        assert.match(doc.info.description, /v1, v2/);
    });

    it("validates against the OpenAPI 3 schema with model versions", async () => {
        assert.equal(await openApiErrors(openApiDocument({ ...base, variantNames: ["v1", "v2"] })), "");
    });

    it("has exactly the routes the REST API creates, with their methods", () => {
        for (const multiModel of [false, true]) {
            const doc = openApiDocument(multiModel ? multi : base) as any;
            const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
                Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`),
            );
            const created = routesFor(multiModel).map((r) => `${r.method} ${r.path}`);
            assert.deepEqual(documented.sort(), created.sort());
        }
    });

    it("names the served models as the only values of {name}", () => {
        const doc = openApiDocument(multi) as any;
        const name = doc.paths["/models/{name}/predict"].post.parameters.find((p: any) => p.name === "name");
        assert.deepEqual(name.schema.enum, ["iris", "wine"]);
        assert.deepEqual(doc.paths["/models"].get.responses["200"].content["application/json"].example, { models: ["iris", "wine"] });
    });

    it("describes a request body per content type the Lambda accepts", () => {
        const doc = openApiDocument(base) as any;
        const body = doc.paths["/predict"].post.requestBody.content;
        assert.deepEqual(Object.keys(body), [...apiSurface(false).contentTypes]);
        assert.deepEqual(body["application/json"].examples.instances.value, { instances: [[5.1, 3.5, 1.4, 0.2]] });
        assert.deepEqual(body["application/json"].examples.inputs.value, { inputs: [[5.1, 3.5, 1.4, 0.2]] });
        // CSV's one example on the media type and its schema, no named examples: Swagger UI keeps it across a media-type switch.
        assert.equal(body["text/csv"].example, "5.1,3.5,1.4,0.2\n");
        assert.equal(body["text/csv"].schema.example, "5.1,3.5,1.4,0.2\n");
        assert.equal(body["text/csv"].examples, undefined);
        assert.equal(body["text/csv"][EXPECTED_STATUS], 200);
        assert.equal(body["application/x-npy"].schema.format, "binary");
    });

    it("states the auth scheme: the x-api-key header, SigV4, or none", () => {
        const key = openApiDocument(base) as any;
        assert.deepEqual(key.security, [{ apiKey: [] }]);
        assert.deepEqual(key.components.securitySchemes.apiKey, {
            type: "apiKey",
            in: "header",
            name: "x-api-key",
            description: "The stack's apiKey output.",
        });
        const iam = openApiDocument({ ...base, auth: ApiAuth.Iam }) as any;
        assert.equal(iam.components.securitySchemes.sigv4["x-amazon-apigateway-authtype"], "awsSigv4");
        const none = openApiDocument({ ...base, auth: ApiAuth.None }) as any;
        assert.equal(none.security, undefined);
        assert.equal(none.components.securitySchemes, undefined);
        assert.equal(none.paths["/predict"].post.responses["403"], undefined);
    });

    it("states the payload limit of the endpoint kind", () => {
        const serverless = openApiDocument({ ...base, endpointKind: "serverless" }) as any;
        for (const [doc, kind] of [
            [serverless, "serverless"],
            [openApiDocument(base) as any, "realtime"],
        ] as const) {
            const { text, binary } = requestBodyLimits(kind);
            const description = doc.paths["/predict"].post.requestBody.description;
            assert.match(description, new RegExp(`at most ${text} bytes of JSON or CSV, ${binary} bytes of NPY`));
        }
    });
});
