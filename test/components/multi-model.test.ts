/**
 * multiModel: true — one SageMaker endpoint serving every model from one S3 prefix.
 */
import * as mocks from "./mocks";
import { strict as assert } from "assert";
import { ModelApi } from "../../components";
import { deploymentTrigger } from "../../components/api/rest-api";
import { resourcePathsFor } from "../../core/api/surface";
import { imageContext, modelDir } from "./fixtures";
import { build } from "./harness";
import { T } from "./resource-types";

describe("ModelApi (multi-model)", function () {
    this.timeout(30000);
    const context = imageContext();
    const irisDir = modelDir({ "model.joblib": "iris" });
    const wineDir = modelDir({ "model.joblib": "wine" });
    const models = [
        { name: "iris", path: irisDir },
        { name: "wine", path: wineDir },
    ];
    let api: ModelApi;

    before(async () => {
        api = await build("zoo", { multiModel: true, models, image: { context } });
    });

    it("uploads every model as {name}.tar.gz under one prefix", () => {
        const keys = mocks
            .findAll(T.object)
            .map((o) => o.inputs.key)
            .sort();
        assert.deepEqual(keys, ["multi-model/iris.tar.gz", "multi-model/wine.tar.gz"]);
    });

    it("the SageMaker model runs in MultiModel mode from that prefix, with the image's multi-model switch on", async () => {
        const container = mocks.find(T.model).inputs.primaryContainer;
        assert.equal(container.mode, "MultiModel");
        assert.equal(container.modelDataUrl, "s3://zoo-artifacts-1234567/multi-model/");
        assert.deepEqual(container.environment, { SAGEMAKER_MULTI_MODEL: "true" });
        assert.equal(await mocks.promiseOf(api.modelDataUrl), "s3://zoo-artifacts-1234567/multi-model/");
    });

    it("the SageMaker role reads only the multi-model prefix", () => {
        assert.deepEqual(mocks.statement("zoo-endpoint-policy", "ReadModelArtifacts").Resource, [
            "arn:aws:s3:::zoo-artifacts-1234567/multi-model/*",
        ]);
    });

    it("the Lambda is given the allowed model names", () => {
        assert.equal(mocks.find(T.fn).inputs.environment.variables.MODEL_NAMES, "iris,wine");
    });

    it("lambda may invoke only its own endpoint, and only with the listed models as TargetModel", async () => {
        const s = mocks.statement("zoo-function-policy", "InvokeOwnEndpoint");
        assert.deepEqual(s.Resource, [await mocks.promiseOf(api.endpointArn)]);
        assert.deepEqual(s.Condition, { StringEquals: { "sagemaker:TargetModel": ["iris.tar.gz", "wine.tar.gz"] } });
    });

    it("resources are /models and /models/{name}/predict plus the catch-all, and no /predict of its own", () => {
        const paths = mocks
            .findAll(T.resource)
            .map((r) => r.inputs.pathPart)
            .sort();
        assert.deepEqual(paths, ["models", "predict", "{name}", "{proxy+}"]);
        const methods = mocks
            .findAll(T.method)
            .map((m) => `${m.inputs.httpMethod} ${m.name}`)
            .sort();
        assert.deepEqual(methods, [
            "ANY zoo-any-models",
            "ANY zoo-any-models-name",
            "ANY zoo-any-models-name-predict",
            "ANY zoo-any-proxy",
            "ANY zoo-any-root",
        ]);
        const predict = mocks.findAll(T.resource).find((r) => r.inputs.pathPart === "predict")!;
        assert.equal(predict.inputs.parentId, "zoo-path-models-name-id");
        for (const integration of mocks.findAll(T.integration)) {
            assert.equal(integration.inputs.type, "AWS_PROXY");
        }
    });

    it("API Gateway may invoke the Lambda only from this API's own stage", () => {
        const arns = mocks.findAll(T.permission).map((p) => p.inputs.sourceArn);
        assert.deepEqual(arns, [`arn:aws:execute-api:${mocks.REGION}:${mocks.ACCOUNT}:api123/v1/*/*`]);
    });

    it("the deployment trigger differs from the single-model resource set", () => {
        assert.equal(mocks.find(T.deployment).inputs.triggers.routes, deploymentTrigger(resourcePathsFor(true), "apiKey"));
        assert.notEqual(deploymentTrigger(resourcePathsFor(true), "apiKey"), deploymentTrigger(resourcePathsFor(false), "apiKey"));
    });

    it("adding a model uploads one archive and leaves the Model, EndpointConfig, Endpoint and role policy unchanged", async () => {
        const snapshot = () => ({
            model: mocks.find(T.model).inputs,
            config: mocks.find(T.config).inputs,
            endpoint: mocks.find(T.endpoint).inputs,
            policy: mocks.find(T.rolePolicy, "zoo-endpoint-policy").inputs,
            objects: mocks
                .findAll(T.object)
                .map((o) => o.name)
                .sort(),
        });
        await build("zoo", { multiModel: true, models: [models[0]], image: { context } });
        const before = snapshot();
        await build("zoo", { multiModel: true, models, image: { context } });
        const after = snapshot();
        assert.deepEqual(after.model, before.model);
        assert.deepEqual(after.config, before.config);
        assert.deepEqual(after.endpoint, before.endpoint);
        assert.deepEqual(after.policy, before.policy);
        assert.deepEqual(before.objects, ["zoo-iris-archive"]);
        assert.deepEqual(after.objects, ["zoo-iris-archive", "zoo-wine-archive"]);
        assert.equal(mocks.find(T.fn).inputs.environment.variables.MODEL_NAMES, "iris,wine");
    });

    it("a single model may also be served in multi-model mode", async () => {
        await build("zoo", { multiModel: true, models: [models[0]], image: { context } });
        assert.equal(mocks.find(T.model).inputs.primaryContainer.mode, "MultiModel");
        assert.equal(mocks.find(T.fn).inputs.environment.variables.MODEL_NAMES, "iris");
    });
});
