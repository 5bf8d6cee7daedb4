/**
 * The REST API's graph (components/api/rest-api.ts): every resource has a method that reaches the handler,
 * every method of both graphs asks for the API key, and CORS (off by default) adds an open preflight and CORS
 * headers on API Gateway's own error answers; its settings: auth, usage plan, stage, throttling, access logs
 * and redeployment.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ApiAuth, ArgumentError, ModelApi, ModelApiArgs } from "../../../components";
import { resourcePathsFor } from "../../../core/api/surface";
import { BINARY_MEDIA_TYPES, GATEWAY_RESPONSES, gatewayResponseTemplate, ROUTES } from "../../../contract";
import { deploymentTrigger } from "../../../components/api/rest-api";
import { build } from "../harness";
import { imageContext, irisFixture, modelDir } from "../fixtures";
import { T } from "../resource-types";

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
                for (const route of ROUTES.filter((r) => r.multiModel === (kind === "multi-model") && !r.asyncOnly)) {
                    const parts = route.path.split("/").slice(1);
                    parts.forEach((_, i) => expected.add(`/${parts.slice(0, i + 1).join("/")}`));
                }
                assert.deepEqual(
                    new Set(resourcePathsFor(kind === "multi-model").map((s) => (s.length ? `/${s.join("/")}` : ""))),
                    expected,
                );
            });

            it("CORS is off by default: no OPTIONS method, no CORS headers on API Gateway's answers, no origins for the Lambda", () => {
                assert.deepEqual(
                    mocks.findAll(T.method).filter((m) => m.inputs.httpMethod === "OPTIONS"),
                    [],
                );
                for (const { inputs } of mocks.findAll(T.response)) assert.equal(inputs.responseParameters, undefined);
                assert.equal(mocks.find(T.fn).inputs.environment.variables.CORS_ALLOW_ORIGINS, undefined);
            });

            it("API Gateway's own errors get the API's error shape: a gateway response per type of the contract, its status left as AWS's", () => {
                const responses = mocks.findAll(T.response);
                assert.deepEqual(responses.map((r) => r.inputs.responseType).sort(), Object.keys(GATEWAY_RESPONSES).sort());
                for (const { inputs, name } of responses) {
                    assert.deepEqual(inputs.responseTemplates, { "application/json": gatewayResponseTemplate(inputs.responseType) }, name);
                    assert.equal(inputs.statusCode, undefined, name);
                    assert.equal(inputs.restApiId, mocks.find(T.restApi).name + "-id");
                }
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

        it("API Gateway's own answers carry the CORS headers, each beside its error template", () => {
            const responses = mocks.findAll(T.response);
            assert.deepEqual(responses.map((r) => r.inputs.responseType).sort(), Object.keys(GATEWAY_RESPONSES).sort());
            for (const { inputs } of responses) {
                assert.ok(inputs.responseTemplates["application/json"].startsWith('{"error":{"code":'));
                assert.equal(inputs.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"], `'${origin}'`);
                assert.equal(inputs.responseParameters["gatewayresponse.header.Vary"], "'Origin'");
            }
        });

        it("several origins: the gateway responses never echo the caller's Origin; they allow none and vary on Origin", async () => {
            await build("zoo", { ...single, api: { cors: { allowOrigins: [origin, "http://localhost:3000"] } } });
            const responses = mocks.findAll(T.response);
            assert.deepEqual(responses.map((r) => r.inputs.responseType).sort(), Object.keys(GATEWAY_RESPONSES).sort());
            for (const { inputs } of responses) {
                assert.deepEqual(inputs.responseParameters, { "gatewayresponse.header.Vary": "'Origin'" });
                assert.ok(
                    !Object.values(inputs.responseParameters).some((v) => String(v).startsWith("method.request")),
                    "a request header is copied into a gateway response",
                );
            }
        });

        it('"*": the gateway responses allow every origin, as the handler does', async () => {
            await build("zoo", { ...single, api: { cors: { allowOrigins: ["*"] } } });
            for (const { inputs } of mocks.findAll(T.response)) {
                assert.equal(inputs.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"], "'*'");
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

describe("ModelApi REST API", function () {
    this.timeout(30000);
    const { iris } = irisFixture();

    before(() => mocks.useMocks());

    describe("defaults", () => {
        before(async () => {
            await build("iris", iris());
        });

        it("the REST API is regional and proxies /predict, and every other path, to the Lambda", () => {
            assert.equal(mocks.find(T.restApi).inputs.endpointConfiguration.types, "REGIONAL");
            assert.deepEqual(
                mocks.findAll(T.resource).map((r) => r.inputs.pathPart),
                ["predict", "{proxy+}"],
            );
            const methods = mocks
                .findAll(T.method)
                .map((m) => `${m.inputs.httpMethod} ${m.name}`)
                .sort();
            assert.deepEqual(methods, ["ANY iris-any-predict", "ANY iris-any-proxy", "ANY iris-any-root"]);
            assert.equal(mocks.find(T.method, "iris-any-root").inputs.resourceId, "root123");
            const integrations = mocks.findAll(T.integration);
            assert.equal(integrations.length, 3);
            for (const { inputs: integration } of integrations) {
                assert.equal(integration.type, "AWS_PROXY");
                assert.equal(integration.integrationHttpMethod, "POST");
                assert.match(
                    integration.uri,
                    /functions\/arn:aws:lambda:us-east-1:123456789012:function:iris-function-1234567\/invocations$/,
                );
            }
        });

        it("auth defaults to an API key: every method requires it, and a usage plan throttles and caps it", () => {
            for (const { inputs: method } of mocks.findAll(T.method)) {
                assert.equal(method.apiKeyRequired, true);
                assert.equal(method.authorization, "NONE");
            }
            const plan = mocks.find(T.usagePlan).inputs;
            assert.deepEqual(plan.throttleSettings, { rateLimit: 10, burstLimit: 20 });
            assert.deepEqual(plan.quotaSettings, { limit: 10000, period: "DAY" });
            assert.deepEqual(plan.apiStages, [{ apiId: "iris-api-id", stage: "v1" }]);
            const key = mocks.find(T.usagePlanKey).inputs;
            assert.deepEqual([key.keyId, key.keyType, key.usagePlanId], ["iris-api-key-id", "API_KEY", "iris-usage-plan-id"]);
        });

        it("API Gateway may invoke the Lambda only from this API's own stage", () => {
            const permission = mocks.find(T.permission).inputs;
            assert.equal(permission.principal, "apigateway.amazonaws.com");
            assert.equal(permission.action, "lambda:InvokeFunction");
            assert.equal(permission.function, "iris-function-1234567");
            assert.equal(permission.sourceArn, `arn:aws:execute-api:${mocks.REGION}:${mocks.ACCOUNT}:api123/v1/*/*`);
        });

        it("the stage has no access logs by default, so it deploys without the account's API Gateway CloudWatch role", () => {
            const stage = mocks.find(T.stage).inputs;
            assert.equal(stage.stageName, "v1");
            assert.equal(stage.deployment, "iris-deployment-id");
            assert.equal(stage.accessLogSettings, undefined);
            assert.equal(mocks.findAll(T.logGroup).filter((g) => g.name === "iris-access-logs").length, 0);
        });

        it("the stage throttles every method", () => {
            const settings = mocks.find(T.methodSettings).inputs;
            assert.equal(settings.methodPath, "*/*");
            assert.equal(settings.stageName, "v1");
            assert.equal(settings.settings.throttlingRateLimit, 10);
            assert.equal(settings.settings.throttlingBurstLimit, 20);
        });

        it("a changed gateway response redeploys the stage: API Gateway applies it only with a new deployment", () => {
            const paths = [["predict"]];
            const before = deploymentTrigger(paths, ApiAuth.ApiKey);
            const row = GATEWAY_RESPONSES.THROTTLED as { message: string };
            const message = row.message;
            try {
                row.message = "slow down";
                assert.notEqual(deploymentTrigger(paths, ApiAuth.ApiKey), before);
            } finally {
                row.message = message;
            }
            assert.equal(deploymentTrigger(paths, ApiAuth.ApiKey), before);
        });

        it("the deployment is triggered by a hash of the resource set and by the integrations' target", () => {
            const triggers = mocks.find(T.deployment).inputs.triggers;
            assert.match(triggers.routes, /^[0-9a-f]{64}$/);
            assert.equal(triggers.integration, mocks.find(T.integration, "iris-any-predict-integration").inputs.uri);
        });
    });

    describe("options", () => {
        it("iam auth: AWS_IAM methods, no API key or usage plan, and no apiKey output", async () => {
            const api = await build("iris", { ...iris(), api: { auth: "iam" } });
            for (const { inputs: method } of mocks.findAll(T.method)) {
                assert.deepEqual([method.authorization, method.apiKeyRequired], ["AWS_IAM", false]);
            }
            for (const type of [T.apiKey, T.usagePlan, T.usagePlanKey]) {
                assert.equal(mocks.findAll(type).length, 0, type);
            }
            assert.equal(await mocks.promiseOf(api.apiKey), undefined);
        });

        it("none auth, asked for explicitly: open methods and no API key", async () => {
            await build("iris", { ...iris(), api: { auth: "none" } });
            for (const { inputs: method } of mocks.findAll(T.method)) {
                assert.deepEqual([method.authorization, method.apiKeyRequired], ["NONE", false]);
            }
            assert.equal(mocks.findAll(T.apiKey).length, 0);
        });

        it("changing auth changes the deployment trigger, so the API is redeployed", async () => {
            await build("iris", iris());
            const apiKeyTrigger = mocks.find(T.deployment).inputs.triggers.routes;
            await build("iris", { ...iris(), api: { auth: "iam" } });
            assert.notEqual(mocks.find(T.deployment).inputs.triggers.routes, apiKeyTrigger);
        });

        it("throttle, quota, stage name and function settings are applied", async () => {
            await build("iris", {
                ...iris(),
                api: {
                    stageName: "prod",
                    throttle: { rateLimit: 50, burstLimit: 100 },
                    quota: { limit: 500, period: "WEEK" },
                    function: { timeoutSeconds: 10, memorySizeMb: 512, logRetentionDays: 30 },
                },
            });
            assert.equal(mocks.find(T.stage).inputs.stageName, "prod");
            assert.deepEqual(mocks.find(T.usagePlan).inputs.throttleSettings, { rateLimit: 50, burstLimit: 100 });
            assert.deepEqual(mocks.find(T.usagePlan).inputs.quotaSettings, { limit: 500, period: "WEEK" });
            assert.equal(mocks.find(T.methodSettings).inputs.settings.throttlingRateLimit, 50);
            const fn = mocks.find(T.fn).inputs;
            assert.deepEqual([fn.timeout, fn.memorySize], [10, 512]);
            assert.equal(mocks.find(T.logGroup, "iris-function-logs").inputs.retentionInDays, 30);
            assert.match(mocks.find(T.permission).inputs.sourceArn, /\/prod\/\*\/\*$/);
        });

        it("accessLogs: true writes JSON access logs to a log group of the stage's own", async () => {
            await build("iris", { ...iris(), api: { accessLogs: true, logRetentionDays: 30 } });
            const stage = mocks.find(T.stage).inputs;
            assert.equal(
                stage.accessLogSettings.destinationArn,
                `arn:aws:logs:${mocks.REGION}:${mocks.ACCOUNT}:log-group:iris-access-logs-1234567`,
            );
            const format = JSON.parse(stage.accessLogSettings.format);
            assert.equal(format.requestId, "$context.requestId");
            assert.equal(format.status, "$context.status");
            assert.equal(mocks.find(T.logGroup, "iris-access-logs").inputs.retentionInDays, 30);
            assert.equal(mocks.findAll(T.logGroup).length, 3);
        });
    });
});
