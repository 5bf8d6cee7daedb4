/**
 * The ModelApi component as a whole under Pulumi mocks: every part is created, every child has the
 * component as its parent and a name of its own, tags, outputs. Each part has its own file beside this
 * one (iam, storage, serving-image, endpoint, api-function, rest-api-settings).
 */
import * as mocks from "./mocks";
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ModelApi } from "../../components";
import { endpointName } from "../../components/endpoint/naming";
import { irisFixture } from "./fixtures";
import { build } from "./harness";
import { T } from "./resource-types";

describe("ModelApi (one model)", function () {
    this.timeout(30000);
    const { irisDir, context, iris } = irisFixture();

    before(() => mocks.useMocks());

    describe("graph", () => {
        let api: ModelApi;
        before(async () => {
            api = await build("iris", iris());
        });

        it("creates every part: image, artifacts, endpoint, function and REST API", () => {
            for (const type of [
                T.repo,
                T.lifecycle,
                T.repoPolicy,
                T.image,
                T.bucket,
                T.publicAccess,
                T.ownership,
                T.encryption,
                T.bucketPolicy,
                T.object,
                T.model,
                T.config,
                T.endpoint,
                T.fn,
                T.permission,
                T.restApi,
                T.resource,
                T.method,
                T.integration,
                T.deployment,
                T.stage,
                T.methodSettings,
                T.apiKey,
                T.usagePlan,
                T.usagePlanKey,
            ]) {
                assert.ok(mocks.findAll(type).length > 0, `no ${type}`);
            }
            assert.equal(mocks.findAll(T.role).length, 2);
            assert.equal(mocks.findAll(T.rolePolicy).length, 2);
            // The endpoint's and the function's; access logs are off by default.
            assert.equal(mocks.findAll(T.logGroup).length, 2);
        });

        it("changes no account-wide setting, so the defaults deploy in a brand-new account", () => {
            // API Gateway's CloudWatch role (aws:apigateway/account:Account) is the setting access logs need.
            assert.deepEqual(mocks.findAll("aws:apigateway/account:Account"), []);
            assert.equal(mocks.find(T.stage).inputs.accessLogSettings, undefined);
        });

        it("every resource is created with the ModelApi as its parent", () => {
            const children = mocks.withParents().filter((r) => r.resource !== api);
            const registered = mocks.all().filter((r) => r.type !== T.component);
            assert.equal(children.length, registered.length, "a resource was created outside the component");
            assert.deepEqual(children.map((r) => `${r.type} ${r.name}`).sort(), registered.map((r) => `${r.type} ${r.name}`).sort());
            for (const child of children) {
                assert.equal(child.parent, api, `${child.type} ${child.name} has another parent`);
            }
        });

        it("every child's logical name starts with the component's name", () => {
            for (const r of mocks.all().filter((r) => r.type !== T.component)) {
                assert.ok(r.name.toLowerCase().startsWith("iris-"), r.name);
            }
        });

        it("outputs: url, endpoint, image, model data, function and bucket", async () => {
            assert.equal(await mocks.promiseOf(api.url), `https://api123.execute-api.${mocks.REGION}.amazonaws.com/v1`);
            assert.match(await mocks.promiseOf(api.endpointName), /^iris-endpoint-[0-9a-f]{7}$/);
            assert.equal(await mocks.promiseOf(api.functionName), "iris-function-1234567");
            assert.equal(await mocks.promiseOf(api.bucketName), "iris-artifacts-1234567");
            assert.equal(await mocks.promiseOf(api.restApiId), "iris-api-id");
            assert.match(
                await mocks.promiseOf(api.modelDataUrl),
                /^s3:\/\/iris-artifacts-1234567\/models\/iris\/[0-9a-f]{64}\/model\.tar\.gz$/,
            );
        });

        it("the API key output is a secret", async () => {
            assert.equal(await mocks.promiseOf(api.apiKey), "the-api-key-value");
            assert.equal(await mocks.isSecret(api.apiKey), true);
        });
    });

    describe("options", () => {
        it("with every optional part on, every resource still has the ModelApi as its parent", async () => {
            const api = await build("iris", {
                ...iris(),
                endpoint: { autoscaling: {}, dataCapture: {} },
                artifacts: { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abcd" },
            });
            assert.equal(mocks.findAll(T.scalingTarget).length, 1);
            assert.equal(mocks.findAll(T.scalingPolicy).length, 1);
            const children = mocks.withParents().filter((r) => r.resource !== api);
            assert.equal(children.length, mocks.all().length - 1);
            for (const child of children) {
                assert.equal(child.parent, api, `${child.type} ${child.name} has another parent`);
            }
        });

        it("tags reach every taggable resource", async () => {
            await build("iris", { ...iris(), tags: { team: "ml" } });
            for (const type of [
                T.repo,
                T.bucket,
                T.object,
                T.role,
                T.logGroup,
                T.model,
                T.config,
                T.endpoint,
                T.fn,
                T.restApi,
                T.stage,
                T.apiKey,
                T.usagePlan,
            ]) {
                for (const r of mocks.findAll(type)) {
                    assert.deepEqual(r.inputs.tags, { team: "ml" }, `${type} ${r.name}`);
                }
            }
        });

        it("a mixed-case name gives lower-case logical names to the bucket and repository, whose AWS names must be lower case", async () => {
            await build("Iris", { models: [{ name: "Iris", path: irisDir }], image: { context } });
            assert.equal(mocks.find(T.bucket).name, "iris-artifacts");
            assert.equal(mocks.find(T.repo).name, "iris-repo");
            assert.match(mocks.find(T.model).name, /^Iris-model-[0-9a-f]{5}$/);
        });

        it("works where Pulumi reports no organization, such as mocks set up without one", async () => {
            await pulumi.runtime.setMocks(
                {
                    newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }),
                    call: () => ({ proxyEndpoint: "p", userName: "u", password: "x" }),
                },
                "modelapi",
                "test",
            );
            try {
                const api = new ModelApi("iris", {
                    models: iris().models,
                    image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/s:1" },
                });
                const expected = endpointName("iris", { organization: "", project: "modelapi", stack: "test" });
                assert.equal(await mocks.promiseOf(api.endpointName), expected);
                // Let the rest of the graph register with these mocks before the shared ones come back.
                await Promise.all([mocks.promiseOf(api.url), mocks.promiseOf(api.apiKey)]);
            } finally {
                mocks.useMocks();
            }
        });

        it("two components in one stack do not share any child name", async () => {
            await build("iris", iris());
            const first = mocks.all().map((r) => `${r.type} ${r.name}`);
            await build("wine", { models: [{ name: "wine", path: irisDir }], image: { context } });
            const second = new Set(mocks.all().map((r) => `${r.type} ${r.name}`));
            assert.ok(first.every((n) => !second.has(n)));
        });
    });
});
