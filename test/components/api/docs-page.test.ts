/**
 * The deployed API's optional docs page (api.docs): off by default; when on, a function of its own serves
 * Swagger UI and the OpenAPI document on public GET routes, while the prediction routes keep their auth.
 * The page's handler is run here on the very files the component packs.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { build } from "../harness";
import { modelDir } from "../fixtures";
import { openApiDocument } from "../../../core/api/openapi";
import { docsFiles } from "../../../core/api/swagger-page";
import { ApiAuth } from "../../../components";
import { openApiErrors } from "../../support/documents";

const IMAGE = { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1" };
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

describe("ModelApi api.docs", function () {
    this.timeout(30000);
    const dir = modelDir();

    it("is off by default: no docs function and no public route", async () => {
        await build("iris", { models: [{ name: "iris", path: dir }], image: IMAGE });
        assert.equal(mocks.findAll("aws:lambda/function:Function").length, 1);
        assert.deepEqual(
            mocks.findAll("aws:apigateway/method:Method").filter((m) => !m.inputs.apiKeyRequired),
            [],
        );
    });

    it("when on, serves /docs, /docs/{file} and /openapi.json from its own function without auth; predictions keep the key", async () => {
        await build("iris", { models: [{ name: "iris", path: dir }], image: IMAGE, api: { docs: true } });
        const docs = mocks.find("aws:lambda/function:Function", "iris-docs");
        const paths = mocks.findAll("aws:apigateway/resource:Resource").map((r) => r.inputs.pathPart);
        for (const part of ["docs", "{file}", "openapi.json"]) assert.ok(paths.includes(part), `no resource ${part}: ${paths}`);
        const publicMethods = mocks.findAll("aws:apigateway/method:Method").filter((m) => !m.inputs.apiKeyRequired);
        assert.deepEqual(publicMethods.map((m) => m.name).sort(), ["iris-docs-docs", "iris-docs-docs-file", "iris-docs-openapi-json"]);
        for (const m of publicMethods) assert.equal(m.inputs.authorization, "NONE");
        const docsIntegrations = mocks.findAll("aws:apigateway/integration:Integration").filter((i) => i.name.startsWith("iris-docs-"));
        assert.equal(docsIntegrations.length, 3);
        for (const i of docsIntegrations) assert.match(i.inputs.uri, /function:iris-docs-1234567\/invocations$/);
        assert.equal(docs.inputs.environment.variables.DOCS_CSP.includes("default-src 'self'"), true);
        // Its role writes its own logs and nothing else.
        const statements = mocks.policyDocuments().find((d) => d.owner === "iris-docs-policy")!.doc.Statement;
        assert.deepEqual(
            statements.map((s) => s.Sid),
            ["WriteOwnLogs"],
        );
    });

    describe("the page's handler, on the files the component packs", () => {
        let tmp: string;
        let handler: (event: any) => Promise<any>;
        const event = (p: string, method = "GET") => ({
            path: p,
            httpMethod: method,
            requestContext: { domainName: "abc.execute-api.us-east-1.amazonaws.com", stage: "v1" },
        });

        before(() => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-docs-fn-"));
            fs.copyFileSync(path.join(REPO_ROOT, "components", "api", "docs-function", "index.js"), path.join(tmp, "index.js"));
            for (const [name, bytes] of docsFiles("iris", "../openapi.json")) fs.writeFileSync(path.join(tmp, name), bytes);
            const doc = openApiDocument({
                title: "iris",
                serverUrl: "/",
                auth: ApiAuth.ApiKey,
                multiModel: false,
                modelNames: ["iris"],
                endpointKind: "realtime",
            });
            fs.writeFileSync(path.join(tmp, "openapi.json"), JSON.stringify(doc));
            handler = require(path.join(tmp, "index.js")).handler;
        });
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("answers the OpenAPI document with the URL of the stage it is read from", async () => {
            const res = await handler(event("/openapi.json"));
            assert.equal(res.statusCode, 200);
            const doc = JSON.parse(res.body);
            assert.deepEqual(doc.servers, [{ url: "https://abc.execute-api.us-east-1.amazonaws.com/v1" }]);
            assert.equal(await openApiErrors(doc), "");
        });

        it("answers the page and its files with a same-origin policy, and nothing else", async () => {
            const page = await handler(event("/docs/"));
            assert.equal(page.statusCode, 200);
            assert.match(page.headers["Content-Type"], /text\/html/);
            assert.match(page.body, /swagger-ui-bundle\.js/);
            const bundle = await handler(event("/docs/swagger-ui-bundle.js"));
            assert.equal(bundle.statusCode, 200);
            assert.ok(bundle.body.length > 100_000);
            assert.equal((await handler(event("/docs/../openapi.json"))).statusCode, 404);
            assert.equal((await handler(event("/docs/index.js"))).statusCode, 404, "the handler's own source is not served");
            assert.equal((await handler(event("/docs"))).statusCode, 308);
            const post = await handler(event("/openapi.json", "POST"));
            assert.equal(post.statusCode, 405);
            assert.equal(post.headers.Allow, "GET, HEAD");
        });

        it("answers its errors in the API's error shape, with the request's id", async () => {
            const withId = (e: any) => ({ ...e, requestContext: { ...e.requestContext, requestId: "req-9" } });
            const missing = await handler(withId(event("/docs/nothing.js")));
            assert.deepEqual(JSON.parse(missing.body).error.code, "NotFound");
            const post = await handler(withId(event("/openapi.json", "POST")));
            assert.deepEqual(Object.keys(JSON.parse(post.body).error), ["code", "message", "requestId"]);
            assert.deepEqual([JSON.parse(post.body).error.code, JSON.parse(post.body).error.requestId], ["MethodNotAllowed", "req-9"]);
        });
    });
});
