/**
 * The documents callers get: the OpenAPI 3 document validates against the OpenAPI 3 schema and describes
 * the routes, bodies, errors and auth of the deployment it belongs to; the Postman collection validates
 * against the collection v2.1 schema and never holds the API key. Both come out as component outputs.
 */
import * as mocks from "../../components/mocks";
import { strict as assert } from "assert";
import { build } from "../../components/harness";
import { openApiErrors, postmanErrors } from "../../support/documents";
import { imageContext, modelDir } from "../../components/fixtures";
import { ApiAuth } from "../../../components";
import { apiSurface } from "../../../core/api/surface";
import { openApiDocument, OpenApiOptions } from "../../../core/api/openapi";
import { postmanCollection, POSTMAN_SCHEMA } from "../../../core/api/postman";
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

    it("the validators used here reject a broken document and a broken collection", async () => {
        const doc = openApiDocument(base) as any;
        delete doc.info;
        assert.notEqual(await openApiErrors(doc), "");
        const collection = postmanCollection({
            title: "iris",
            url: base.serverUrl,
            auth: ApiAuth.ApiKey,
            multiModel: false,
            modelNames: ["iris"],
        }) as any;
        collection.item[0].request.method = 42;
        assert.notEqual(postmanErrors(collection), "");
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

describe("Postman collection", () => {
    const url = "https://api123.execute-api.eu-west-1.amazonaws.com/v1";

    for (const auth of [ApiAuth.ApiKey, ApiAuth.Iam, ApiAuth.None]) {
        for (const multiModel of [false, true]) {
            it(`validates against the collection v2.1 schema: ${auth}${multiModel ? ", multi-model" : ""}`, () => {
                const collection = postmanCollection({ title: "iris", url, auth, multiModel, modelNames: ["iris", "wine"] });
                assert.equal((collection.info as any).schema, POSTMAN_SCHEMA);
                assert.equal(postmanErrors(collection), "");
            });
        }
    }

    it("has one request per route, each with an example body and a test", () => {
        const collection = postmanCollection({
            title: "models",
            url,
            auth: ApiAuth.ApiKey,
            multiModel: true,
            modelNames: ["iris", "wine"],
        }) as any;
        assert.deepEqual(
            collection.item.map((i: any) => i.name),
            ["GET /models", "POST /models/{name}/predict"],
        );
        const predict = collection.item[1];
        assert.equal(predict.request.url.raw, "{{baseUrl}}/models/{{modelName}}/predict");
        assert.deepEqual(JSON.parse(predict.request.body.raw), { instances: [[5.1, 3.5, 1.4, 0.2]] });
        assert.equal(predict.event[0].listen, "test");
        assert.deepEqual(collection.variable.find((v: any) => v.key === "modelName").value, "iris");
    });

    it("keeps URL and API key as collection variables, with the key's value left empty", () => {
        const collection = postmanCollection({
            title: "iris",
            url: `${url}/`,
            auth: ApiAuth.ApiKey,
            multiModel: false,
            modelNames: ["iris"],
        }) as any;
        assert.deepEqual(
            collection.variable.map((v: any) => [v.key, v.value]),
            [
                ["baseUrl", url],
                ["apiKey", ""],
            ],
        );
        assert.deepEqual(
            collection.auth.apikey.map((p: any) => [p.key, p.value]),
            [
                ["key", "x-api-key"],
                ["value", "{{apiKey}}"],
                ["in", "header"],
            ],
        );
    });

    it("signs requests with AWS Signature Version 4 for iam, in the API's region, from the caller's credentials", () => {
        const collection = postmanCollection({ title: "iris", url, auth: ApiAuth.Iam, multiModel: false, modelNames: ["iris"] }) as any;
        const settings = Object.fromEntries(collection.auth.awsv4.map((p: any) => [p.key, p.value]));
        assert.deepEqual(settings, {
            accessKey: "{{awsAccessKeyId}}",
            secretKey: "{{awsSecretAccessKey}}",
            sessionToken: "{{awsSessionToken}}",
            region: "eu-west-1",
            service: "execute-api",
        });
        assert.equal(
            collection.variable.some((v: any) => v.key === "apiKey"),
            false,
        );
    });
});

describe("ModelApi outputs openApi and postmanCollection", function () {
    this.timeout(30000);
    const context = imageContext();

    it("point at the stage URL and never contain the API key", async () => {
        const api = await build("iris", { models: [{ name: "iris", path: modelDir() }], image: { context } });
        const doc = JSON.parse(await mocks.promiseOf(api.openApi));
        assert.deepEqual(doc.servers, [{ url: `https://api123.execute-api.${mocks.REGION}.amazonaws.com/v1` }]);
        assert.equal(await openApiErrors(doc), "");
        const collection = await mocks.promiseOf(api.postmanCollection);
        assert.equal(postmanErrors(JSON.parse(collection)), "");
        assert.ok(collection.includes(`https://api123.execute-api.${mocks.REGION}.amazonaws.com/v1`));
        const key = await mocks.promiseOf(api.apiKey);
        assert.ok(key && !collection.includes(key) && !JSON.stringify(doc).includes(key), "the API key leaked into a document");
    });
});
