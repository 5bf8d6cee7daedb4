/**
 * The REST API's graph: every resource has a method that reaches the handler, every method of both
 * graphs asks for the API key, and CORS (off by default) adds an open preflight and CORS headers on
 * API Gateway's own error answers.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ArgumentError, ModelApi, ModelApiArgs } from "../../../components";
import { resourcePathsFor } from "../../../core/api/surface";
import { BINARY_MEDIA_TYPES, ROUTES } from "../../../contract";
import { imageContext, modelDir } from "../fixtures";
import { build } from "../harness";

const T = {
    restApi: "aws:apigateway/restApi:RestApi",
    resource: "aws:apigateway/resource:Resource",
    method: "aws:apigateway/method:Method",
    integration: "aws:apigateway/integration:Integration",
    response: "aws:apigateway/response:Response",
    fn: "aws:lambda/function:Function",
    deployment: "aws:apigateway/deployment:Deployment",
};

/** Full path of every API Gateway resource, rebuilt from the recorded parent ids. */
function resourcePaths(): Map<string, string> {
    const byId = new Map(mocks.findAll(T.resource).map((r) => [`${r.name}-id`, r]));
    const pathOf = (id: string): string => {
        const r = byId.get(id);
        return r ? `${pathOf(r.inputs.parentId)}/${r.inputs.pathPart}` : "";
    };
    return new Map([...byId.keys()].map((id) => [id, pathOf(id)]));
}

describe("REST API", function () {
    this.timeout(30000);
    const context = imageContext();
    const single: ModelApiArgs = { models: [{ name: "iris", path: modelDir({ "model.joblib": "iris" }) }], image: { context } };
    const multi: ModelApiArgs = {
        multiModel: true,
        models: [
            { name: "iris", path: modelDir({ "model.joblib": "iris" }) },
            { name: "wine", path: modelDir({ "model.joblib": "wine" }) },
        ],
        image: { context },
    };

    for (const [kind, args] of [
        ["single-model", single],
        ["multi-model", multi],
    ] as const) {
        describe(kind, function () {
            before(async () => {
                await build("zoo", args);
            });

            it("every resource, /models/{name} included, has an ANY method proxied to the Lambda", () => {
                const paths = resourcePaths();
                const withMethod = new Set(
                    mocks
                        .findAll(T.method)
                        .filter((m) => m.inputs.httpMethod === "ANY")
                        .map((m) => m.inputs.resourceId),
                );
                for (const [id, path] of paths) {
                    assert.ok(withMethod.has(id), `${path} has no method: API Gateway would answer it with its own 403`);
                }
                if (kind === "multi-model") {
                    assert.ok([...paths.values()].includes("/models/{name}"));
                }
                for (const { inputs } of mocks.findAll(T.integration)) {
                    assert.equal(inputs.type, "AWS_PROXY");
                }
            });

            it("every method requires the API key by default", () => {
                const methods = mocks.findAll(T.method);
                assert.ok(methods.length >= 3);
                for (const { name, inputs } of methods) {
                    assert.equal(inputs.apiKeyRequired, true, `${name} does not require the API key`);
                    assert.equal(inputs.authorization, "NONE");
                }
            });

            it("the resources are the contract's route paths, each path above them, the catch-all and the root", () => {
                const expected = new Set(["", "/{proxy+}"]);
                for (const route of ROUTES.filter((r) => r.multiModel === (kind === "multi-model"))) {
                    const parts = route.path.split("/").slice(1);
                    parts.forEach((_, i) => expected.add(`/${parts.slice(0, i + 1).join("/")}`));
                }
                assert.deepEqual(
                    new Set(resourcePathsFor(kind === "multi-model").map((s) => (s.length ? `/${s.join("/")}` : ""))),
                    expected,
                );
            });

            it("CORS is off by default: no OPTIONS method, no gateway responses, no origins for the Lambda", () => {
                assert.deepEqual(
                    mocks.findAll(T.method).filter((m) => m.inputs.httpMethod === "OPTIONS"),
                    [],
                );
                assert.deepEqual(mocks.findAll(T.response), []);
                assert.equal(mocks.find(T.fn).inputs.environment.variables.CORS_ALLOW_ORIGINS, undefined);
            });

            it("binary media types are the contract's", () => {
                assert.deepEqual(mocks.find(T.restApi).inputs.binaryMediaTypes, [...BINARY_MEDIA_TYPES]);
            });
        });
    }

    describe("with api.cors", function () {
        const origin = "https://app.example.com";
        let untriggered: string;

        before(async () => {
            await build("zoo", multi);
            untriggered = mocks.find(T.deployment).inputs.triggers.routes;
            await build("zoo", { ...multi, api: { cors: { allowOrigins: [origin] } } });
        });

        it("every resource gets an OPTIONS method open to browsers' preflights, while ANY still requires the key", () => {
            const options = mocks.findAll(T.method).filter((m) => m.inputs.httpMethod === "OPTIONS");
            const any = mocks.findAll(T.method).filter((m) => m.inputs.httpMethod === "ANY");
            assert.equal(options.length, any.length);
            assert.deepEqual(new Set(options.map((m) => m.inputs.resourceId)), new Set(any.map((m) => m.inputs.resourceId)));
            for (const { inputs } of options) {
                assert.deepEqual([inputs.authorization, inputs.apiKeyRequired], ["NONE", false]);
            }
            for (const { inputs } of any) {
                assert.equal(inputs.apiKeyRequired, true);
            }
        });

        it("the Lambda is told the allowed origins", () => {
            assert.equal(mocks.find(T.fn).inputs.environment.variables.CORS_ALLOW_ORIGINS, origin);
        });

        it("API Gateway's own 4xx and 5xx answers carry the CORS headers", () => {
            const responses = mocks.findAll(T.response);
            assert.deepEqual(responses.map((r) => r.inputs.responseType).sort(), ["DEFAULT_4XX", "DEFAULT_5XX"]);
            for (const { inputs } of responses) {
                assert.equal(inputs.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"], `'${origin}'`);
                assert.equal(inputs.responseParameters["gatewayresponse.header.Vary"], "'Origin'");
            }
        });

        it("several origins: the gateway responses echo the caller's Origin", async () => {
            await build("zoo", { ...single, api: { cors: { allowOrigins: [origin, "http://localhost:3000"] } } });
            for (const { inputs } of mocks.findAll(T.response)) {
                assert.equal(
                    inputs.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"],
                    "method.request.header.Origin",
                );
            }
        });

        it("turning CORS on redeploys the stage", () => {
            assert.notEqual(mocks.find(T.deployment).inputs.triggers.routes, untriggered);
        });
    });

    describe("api.cors validation", function () {
        const rejects = (allowOrigins: unknown, message: string) =>
            assert.throws(
                () => new ModelApi("zoo", { ...single, api: { cors: { allowOrigins: allowOrigins as string[] } } }),
                (err: Error) => err instanceof ArgumentError && err.message.includes(message),
            );

        it("refuses an empty list, a path, a wildcard host and * mixed with origins, naming the argument", () => {
            mocks.useMocks();
            rejects([], "api.cors.allowOrigins must be a non-empty list");
            rejects(["https://app.example.com/"], 'api.cors.allowOrigins "https://app.example.com/" is not an origin');
            rejects(["https://*.example.com"], "is not an origin");
            rejects(["*", "https://app.example.com"], '"*" allows every origin and cannot be combined');
        });
    });
});
