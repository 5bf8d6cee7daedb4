/**
 * The OpenAPI 3 document (core/api/openapi.ts): it validates against the OpenAPI 3 schema and describes the
 * routes, bodies, errors and auth of the deployment it belongs to.
 */
import { strict as assert } from "assert";
import { openApiErrors } from "../../support/documents";
import { ApiAuth } from "../../../components";
import { apiSurface } from "../../../core/api/surface";
import { openApiDocument, OpenApiOptions } from "../../../core/api/openapi";
import { requestBodyLimits, routesFor } from "../../../contract";

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
    ] as [string, OpenApiOptions][]) {
        it(`validates against the OpenAPI 3 schema: ${label}`, async () => {
            assert.equal(await openApiErrors(openApiDocument(opts)), "");
        });
    }

    it("the validator used here rejects a broken document", async () => {
        const doc = openApiDocument(base) as any;
        delete doc.info;
        assert.notEqual(await openApiErrors(doc), "");
    });

    it("documents each route's statuses: the handler's answers, and API Gateway's 403 with auth and 429", () => {
        const statuses = (opts: OpenApiOptions, path: string, method: string) =>
            Object.keys((openApiDocument(opts) as any).paths[path][method].responses).sort();
        const predict = ["200", "400", "403", "404", "405", "413", "415", "429", "500", "502", "503", "504"];
        assert.deepEqual(statuses(base, "/predict", "post"), predict);
        assert.deepEqual(statuses(multi, "/models/{name}/predict", "post"), predict);
        assert.deepEqual(statuses(multi, "/models", "get"), ["200", "403", "404", "405", "429", "500"]);
        assert.deepEqual(statuses({ ...multi, auth: ApiAuth.None }, "/models", "get"), ["200", "404", "405", "429", "500"]);
        assert.deepEqual(
            statuses({ ...base, auth: ApiAuth.None }, "/predict", "post"),
            predict.filter((s) => s !== "403"),
        );
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
        assert.equal(body["text/csv"].examples.rows.value, "5.1,3.5,1.4,0.2\n");
        assert.equal(body["application/x-npy"].schema.format, "binary");
    });

    it("documents every error status with the {error: {code, message, requestId}} shape, and API Gateway's own", () => {
        const doc = openApiDocument(base) as any;
        const responses = doc.paths["/predict"].post.responses;
        assert.deepEqual(Object.keys(responses).sort(), [
            "200",
            "400",
            "403",
            "404",
            "405",
            "413",
            "415",
            "429",
            "500",
            "502",
            "503",
            "504",
        ]);
        const error = doc.components.responses.Error413.content["application/json"].schema.$ref;
        assert.equal(error, "#/components/schemas/Error");
        assert.deepEqual(doc.components.schemas.Error.properties.error.required, ["code", "message", "requestId"]);
        assert.equal(doc.components.responses.Error403.content["application/json"].schema.$ref, "#/components/schemas/GatewayError");
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
