/**
 * The single-model ModelApi graph under Pulumi mocks: parents, IAM scoping, secure defaults, options
 * and outputs.
 */
import * as mocks from "./mocks";
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ModelApi } from "../../components";
import { contextTag } from "../../components/context-hash";
import { packModel } from "../../components/model-archive";
import { singleModelKey } from "../../components/model-artifacts";
import { endpointName } from "../../components/naming";
import { resolveLambdaBundle } from "../../lambda/bundle";
import { imageContext, modelDir } from "./fixtures";
import { build } from "./harness";

const T = {
    repo: "aws:ecr/repository:Repository",
    lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    repoPolicy: "aws:ecr/repositoryPolicy:RepositoryPolicy",
    image: "docker-build:index:Image",
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    object: "aws:s3/bucketObjectv2:BucketObjectv2",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    model: "aws:sagemaker/model:Model",
    config: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    endpoint: "aws:sagemaker/endpoint:Endpoint",
    scalingTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    fn: "aws:lambda/function:Function",
    permission: "aws:lambda/permission:Permission",
    restApi: "aws:apigateway/restApi:RestApi",
    resource: "aws:apigateway/resource:Resource",
    method: "aws:apigateway/method:Method",
    integration: "aws:apigateway/integration:Integration",
    deployment: "aws:apigateway/deployment:Deployment",
    stage: "aws:apigateway/stage:Stage",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    apiKey: "aws:apigateway/apiKey:ApiKey",
    usagePlan: "aws:apigateway/usagePlan:UsagePlan",
    usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
};

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270";

describe("ModelApi (one model)", function () {
    this.timeout(30000);
    const irisDir = modelDir();
    const context = imageContext();
    const iris = () => ({ models: [{ name: "iris", path: irisDir }], image: { context } });

    before(() => mocks.useMocks());

    describe("graph", () => {
        let api: ModelApi;
        before(async () => {
            api = await build("iris", iris());
        });

        it("creates every part: image, artifacts, endpoint, function and REST API", () => {
            for (const type of [
                T.repo, T.lifecycle, T.repoPolicy, T.image, T.bucket, T.publicAccess, T.ownership, T.encryption, T.bucketPolicy,
                T.object, T.model, T.config, T.endpoint, T.fn, T.permission, T.restApi, T.resource, T.method, T.integration,
                T.deployment, T.stage, T.methodSettings, T.apiKey, T.usagePlan, T.usagePlanKey,
            ]) {
                assert.ok(mocks.findAll(type).length > 0, `no ${type}`);
            }
            assert.equal(mocks.findAll(T.role).length, 2);
            assert.equal(mocks.findAll(T.rolePolicy).length, 2);
            assert.equal(mocks.findAll(T.logGroup).length, 3);
        });

        it("every resource is created with the ModelApi as its parent", () => {
            const children = mocks.withParents().filter((r) => r.resource !== api);
            const registered = mocks.all().filter((r) => r.type !== "modelapi:index:ModelApi");
            assert.equal(children.length, registered.length, "a resource was created outside the component");
            assert.deepEqual(
                children.map((r) => `${r.type} ${r.name}`).sort(),
                registered.map((r) => `${r.type} ${r.name}`).sort(),
            );
            for (const child of children) {
                assert.equal(child.parent, api, `${child.type} ${child.name} has another parent`);
            }
        });

        it("every child's logical name starts with the component's name", () => {
            for (const r of mocks.all().filter((r) => r.type !== "modelapi:index:ModelApi")) {
                assert.ok(r.name.toLowerCase().startsWith("iris-"), r.name);
            }
        });

        it("no IAM policy document grants a wildcard action or targets the wildcard resource", () => {
            const docs = mocks.policyDocuments();
            assert.equal(docs.length, 4); // two role policies, the bucket policy, the repository policy
            for (const { owner, doc } of docs) {
                for (const s of doc.Statement) {
                    for (const resource of mocks.asArray(s.Resource ?? [])) {
                        assert.notEqual(resource, "*", `${owner}/${s.Sid} targets *`);
                    }
                    for (const action of mocks.asArray(s.Action)) {
                        assert.notEqual(action, "*", `${owner}/${s.Sid} allows *`);
                        if (s.Effect === "Allow") {
                            assert.ok(!action.endsWith(":*"), `${owner}/${s.Sid} allows ${action}`);
                        }
                    }
                }
            }
        });

        it("lambda may invoke only its own endpoint", async () => {
            const endpointArn = await mocks.promiseOf(api.endpointArn);
            const s = mocks.statement("iris-function-policy", "InvokeOwnEndpoint");
            assert.deepEqual(s.Action, ["sagemaker:InvokeEndpoint"]);
            assert.deepEqual(s.Resource, [endpointArn]);
            assert.equal(s.Condition, undefined);
            const all = mocks.policyDocuments().find((d) => d.owner === "iris-function-policy")!.doc.Statement;
            assert.deepEqual(all.map((x: any) => x.Sid).sort(), ["InvokeOwnEndpoint", "WriteOwnLogs"]);
        });

        it("lambda writes logs only to its own log group", () => {
            const logGroup = mocks.find(T.logGroup, "iris-function-logs");
            const arn = `arn:aws:logs:${mocks.REGION}:${mocks.ACCOUNT}:log-group:iris-function-logs-1234567`;
            assert.deepEqual(mocks.statement("iris-function-policy", "WriteOwnLogs").Resource, [arn, `${arn}:log-stream:*`]);
            assert.equal(mocks.find(T.fn).inputs.loggingConfig.logGroup, "iris-function-logs-1234567");
            assert.equal(logGroup.inputs.retentionInDays, 14);
        });

        it("the SageMaker role reads only its model's artifact prefix", () => {
            const bucket = "iris-artifacts-1234567";
            const s = mocks.statement("iris-endpoint-policy", "ReadModelArtifacts");
            assert.deepEqual(s.Action, ["s3:GetObject"]);
            assert.deepEqual(s.Resource, [`arn:aws:s3:::${bucket}/models/iris/*`]);
            const s3Actions = mocks
                .policyDocuments()
                .find((d) => d.owner === "iris-endpoint-policy")!
                .doc.Statement.flatMap((x: any) => x.Action)
                .filter((a: string) => a.startsWith("s3:"));
            assert.deepEqual(s3Actions, ["s3:GetObject"]);
        });

        it("the SageMaker role pulls only from its own repository, and is not given ecr:GetAuthorizationToken", () => {
            const s = mocks.statement("iris-endpoint-policy", "PullServingImage");
            assert.deepEqual(s.Resource, [`arn:aws:ecr:${mocks.REGION}:${mocks.ACCOUNT}:repository/iris-repo-1234567`]);
            assert.deepEqual(s.Action.sort(), ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
            const actions = mocks.policyDocuments().flatMap((d) => d.doc.Statement.flatMap((x: any) => x.Action));
            assert.ok(!actions.includes("ecr:GetAuthorizationToken"));
        });

        it("the repository policy lets only the endpoint's role pull", () => {
            const policy = mocks.parsePolicy(mocks.find(T.repoPolicy).inputs.policy);
            assert.equal(policy.Statement.length, 1);
            assert.deepEqual(policy.Statement[0].Principal, { AWS: `arn:aws:iam::${mocks.ACCOUNT}:role/iris-endpoint-role-1234567` });
            assert.equal(policy.Statement[0].Effect, "Allow");
            assert.ok(policy.Statement[0].Action.every((a: string) => a.startsWith("ecr:") && a !== "ecr:*"));
        });

        it("the SageMaker role writes logs only to the endpoint's log group, created with the endpoint's name", async () => {
            const name = await mocks.promiseOf(api.endpointName);
            const logGroup = mocks.find(T.logGroup, "iris-endpoint-logs");
            assert.equal(logGroup.inputs.name, `/aws/sagemaker/Endpoints/${name}`);
            assert.equal(logGroup.inputs.retentionInDays, 14);
            const arn = `arn:aws:logs:${mocks.REGION}:${mocks.ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${name}`;
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "WriteEndpointLogs").Resource, [arn, `${arn}:log-stream:*`]);
        });

        it("each role can be assumed only by its own service", () => {
            const trust = (name: string) => JSON.parse(mocks.find(T.role, name).inputs.assumeRolePolicy).Statement;
            assert.deepEqual(trust("iris-endpoint-role").map((s: any) => s.Principal), [{ Service: "sagemaker.amazonaws.com" }]);
            assert.deepEqual(trust("iris-function-role").map((s: any) => s.Principal), [{ Service: "lambda.amazonaws.com" }]);
        });

        it("the artifact bucket is private: public access fully blocked and ACLs disabled", () => {
            const pab = mocks.find(T.publicAccess).inputs;
            assert.deepEqual(
                [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
                [true, true, true, true],
            );
            assert.equal(mocks.find(T.ownership).inputs.rule.objectOwnership, "BucketOwnerEnforced");
        });

        it("the artifact bucket is encrypted with AES256 by default", () => {
            const rules = mocks.find(T.encryption).inputs.rules;
            assert.deepEqual(rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        });

        it("the artifact bucket refuses requests without TLS", () => {
            const policy = mocks.parsePolicy(mocks.find(T.bucketPolicy).inputs.policy);
            const deny = policy.Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
            assert.equal(deny.Effect, "Deny");
            assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.deepEqual(deny.Resource, ["arn:aws:s3:::iris-artifacts-1234567", "arn:aws:s3:::iris-artifacts-1234567/*"]);
        });

        it("the artifact bucket is force-destroyed so pulumi destroy leaves nothing", () => {
            assert.equal(mocks.find(T.bucket).inputs.forceDestroy, true);
        });

        it("the ECR repository scans on push and is force-deleted", () => {
            const repo = mocks.find(T.repo).inputs;
            assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
            assert.equal(repo.forceDelete, true);
        });

        it("the ECR lifecycle policy keeps the last 10 images by default", () => {
            const rules = JSON.parse(mocks.find(T.lifecycle).inputs.policy).rules;
            assert.equal(rules.length, 1);
            assert.deepEqual(rules[0].selection, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 });
            assert.deepEqual(rules[0].action, { type: "expire" });
        });

        it("the image is built from the context for linux/amd64, pushed, and tagged by content, never latest", () => {
            const image = mocks.find(T.image).inputs;
            assert.equal(image.context.location, context);
            assert.deepEqual(image.platforms, ["linux/amd64"]);
            assert.equal(image.push, true);
            const tag = contextTag(context);
            assert.deepEqual(image.tags, [`${mocks.ACCOUNT}.dkr.ecr.${mocks.REGION}.amazonaws.com/iris-repo-1234567:${tag}`]);
            assert.match(tag, /^[0-9a-f]{12}$/);
        });

        it("the image is pushed with the registry's short-lived token, kept secret", () => {
            const registries = mocks.find(T.image).inputs.registries;
            // A secret reaches the mock monitor wrapped with Pulumi's secret signature.
            assert.equal(registries[SECRET_SIG], SECRET_VALUE_SIG);
            assert.deepEqual(registries.value, [
                { address: `https://${mocks.ACCOUNT}.dkr.ecr.${mocks.REGION}.amazonaws.com`, username: "AWS", password: "token" },
            ]);
        });

        it("SageMaker runs the content-tagged image URI, so a rebuild of unchanged files changes nothing", async () => {
            const uri = await mocks.promiseOf(api.imageUri);
            assert.equal(uri, `${mocks.ACCOUNT}.dkr.ecr.${mocks.REGION}.amazonaws.com/iris-repo-1234567:${contextTag(context)}`);
            assert.equal(mocks.find(T.model).inputs.primaryContainer.image, uri);
        });

        it("the image URI depends on the pushed image, so the SageMaker model waits for the push", async () => {
            // Output.allResources() is the set of resources an output (and so any input built from it) depends on.
            const resources: Set<pulumi.Resource> = await (api.imageUri as any).allResources();
            const urns = await Promise.all([...resources].map((r) => mocks.promiseOf(r.urn)));
            assert.ok(urns.some((urn) => urn.endsWith("docker-build:index:Image::iris-image")), urns.join(", "));
        });

        it("the model archive is uploaded under models/<model>/<sha256>/model.tar.gz", async () => {
            const { sha256 } = packModel(irisDir);
            const object = mocks.find(T.object).inputs;
            assert.equal(object.key, `models/iris/${sha256}/model.tar.gz`);
            assert.equal(object.key, singleModelKey("iris", sha256));
            assert.equal(await mocks.promiseOf(api.modelDataUrl), `s3://iris-artifacts-1234567/${object.key}`);
            assert.equal(mocks.find(T.model).inputs.primaryContainer.modelDataUrl, `s3://iris-artifacts-1234567/${object.key}`);
        });

        it("the SageMaker model serves one model with network isolation on by default", () => {
            const model = mocks.find(T.model).inputs;
            assert.equal(model.enableNetworkIsolation, true);
            assert.equal(model.primaryContainer.mode, "SingleModel");
            assert.equal(model.primaryContainer.environment?.SAGEMAKER_MULTI_MODEL, undefined);
        });

        it("the endpoint defaults to one ml.m5.large instance with no autoscaling and no data capture", () => {
            const config = mocks.find(T.config).inputs;
            assert.equal(config.productionVariants.length, 1);
            const variant = config.productionVariants[0];
            assert.equal(variant.instanceType, "ml.m5.large");
            assert.equal(variant.initialInstanceCount, 1);
            assert.equal(variant.serverlessConfig, undefined);
            assert.equal(config.dataCaptureConfig, undefined);
            assert.equal(mocks.findAll(T.scalingTarget).length, 0);
            assert.equal(mocks.findAll(T.scalingPolicy).length, 0);
        });

        it("Model and EndpointConfig are auto-named; the endpoint's name is derived and stable", async () => {
            assert.equal(mocks.find(T.model).inputs.name, undefined);
            assert.equal(mocks.find(T.config).inputs.name, undefined);
            const expected = endpointName("iris", { organization: "org", project: "modelapi", stack: "test" });
            assert.equal(mocks.find(T.endpoint).inputs.name, expected);
            assert.match(expected, /^iris-endpoint-[0-9a-f]{7}$/);
            assert.match(mocks.find(T.endpoint).inputs.endpointConfigName, /^iris-config-[0-9a-f]{5}-1234567$/);
        });

        it("the Lambda runs the esbuild bundle as a file archive on nodejs22.x", async () => {
            const fn = mocks.find(T.fn).inputs;
            assert.equal(fn.runtime, "nodejs22.x");
            assert.equal(fn.handler, "index.handler");
            assert.equal(await fn.code.path, resolveLambdaBundle());
            assert.equal(fn.timeout, 29);
            assert.equal(fn.memorySize, 256);
        });

        it("the Lambda is told the endpoint's name and kind, and no model list for one model", async () => {
            const env = mocks.find(T.fn).inputs.environment.variables;
            assert.deepEqual(env, { ENDPOINT_NAME: await mocks.promiseOf(api.endpointName), ENDPOINT_KIND: "realtime" });
        });

        it("the REST API is regional and proxies /predict, and every other path, to the Lambda", () => {
            assert.equal(mocks.find(T.restApi).inputs.endpointConfiguration.types, "REGIONAL");
            assert.deepEqual(mocks.findAll(T.resource).map((r) => r.inputs.pathPart), ["predict", "{proxy+}"]);
            const methods = mocks.findAll(T.method).map((m) => `${m.inputs.httpMethod} ${m.name}`).sort();
            assert.deepEqual(methods, ["ANY iris-any-predict", "ANY iris-any-proxy", "ANY iris-any-root"]);
            assert.equal(mocks.find(T.method, "iris-any-root").inputs.resourceId, "root123");
            const integrations = mocks.findAll(T.integration);
            assert.equal(integrations.length, 3);
            for (const { inputs: integration } of integrations) {
                assert.equal(integration.type, "AWS_PROXY");
                assert.equal(integration.integrationHttpMethod, "POST");
                assert.match(integration.uri, /functions\/arn:aws:lambda:us-east-1:123456789012:function:iris-function-1234567\/invocations$/);
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

        it("the stage writes JSON access logs to its own log group", () => {
            const stage = mocks.find(T.stage).inputs;
            assert.equal(stage.stageName, "v1");
            assert.equal(stage.deployment, "iris-deployment-id");
            assert.equal(stage.accessLogSettings.destinationArn, `arn:aws:logs:${mocks.REGION}:${mocks.ACCOUNT}:log-group:iris-access-logs-1234567`);
            const format = JSON.parse(stage.accessLogSettings.format);
            assert.equal(format.requestId, "$context.requestId");
            assert.equal(format.status, "$context.status");
            assert.equal(mocks.find(T.logGroup, "iris-access-logs").inputs.retentionInDays, 14);
        });

        it("the stage throttles every method", () => {
            const settings = mocks.find(T.methodSettings).inputs;
            assert.equal(settings.methodPath, "*/*");
            assert.equal(settings.stageName, "v1");
            assert.equal(settings.settings.throttlingRateLimit, 10);
            assert.equal(settings.settings.throttlingBurstLimit, 20);
        });

        it("the deployment is triggered by a hash of the resource set and by the integrations' target", () => {
            const triggers = mocks.find(T.deployment).inputs.triggers;
            assert.match(triggers.routes, /^[0-9a-f]{64}$/);
            assert.equal(triggers.integration, mocks.find(T.integration, "iris-any-predict-integration").inputs.uri);
        });

        it("outputs: url, endpoint, image, model data, function and bucket", async () => {
            assert.equal(await mocks.promiseOf(api.url), `https://api123.execute-api.${mocks.REGION}.amazonaws.com/v1`);
            assert.match(await mocks.promiseOf(api.endpointName), /^iris-endpoint-[0-9a-f]{7}$/);
            assert.equal(await mocks.promiseOf(api.functionName), "iris-function-1234567");
            assert.equal(await mocks.promiseOf(api.bucketName), "iris-artifacts-1234567");
            assert.equal(await mocks.promiseOf(api.restApiId), "iris-api-id");
            assert.match(await mocks.promiseOf(api.modelDataUrl), /^s3:\/\/iris-artifacts-1234567\/models\/iris\/[0-9a-f]{64}\/model\.tar\.gz$/);
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

        it("by default the image is built from the container/ directory shipped with the package", async () => {
            await build("iris", { models: [{ name: "iris", path: irisDir }] });
            assert.equal(mocks.find(T.image).inputs.context.location, path.join(REPO_ROOT, "container"));
        });

        it("image.keepImages sets how many images the repository keeps", async () => {
            await build("iris", { ...iris(), image: { context, keepImages: 3 } });
            assert.equal(JSON.parse(mocks.find(T.lifecycle).inputs.policy).rules[0].selection.countNumber, 3);
        });

        it("image.uri given: no repository, no build, and SageMaker runs that URI", async () => {
            const uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1.0";
            const api = await build("iris", { models: iris().models, image: { uri } });
            for (const type of [T.repo, T.lifecycle, T.repoPolicy, T.image]) {
                assert.equal(mocks.findAll(type).length, 0, type);
            }
            assert.equal(mocks.find(T.model).inputs.primaryContainer.image, uri);
            assert.equal(await mocks.promiseOf(api.imageUri), uri);
            assert.throws(() => mocks.statement("iris-endpoint-policy", "PullServingImage"), /no statement/);
        });

        it("image.repositoryArn lets the SageMaker role pull from that repository only", async () => {
            const repositoryArn = "arn:aws:ecr:us-east-1:111122223333:repository/serving";
            await build("iris", { models: iris().models, image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1.0", repositoryArn } });
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "PullServingImage").Resource, [repositoryArn]);
        });

        it("s3Uri given: nothing is uploaded, no bucket is made, and the role reads only that object", async () => {
            const s3Uri = "s3://team-models/iris/v3/model.tar.gz";
            const api = await build("iris", { models: [{ name: "iris", s3Uri }], image: { context } });
            assert.equal(mocks.findAll(T.object).length, 0);
            assert.equal(mocks.findAll(T.bucket).length, 0);
            assert.equal(mocks.find(T.model).inputs.primaryContainer.modelDataUrl, s3Uri);
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "ReadModelArtifacts").Resource, ["arn:aws:s3:::team-models/iris/v3/model.tar.gz"]);
            assert.equal(await mocks.promiseOf(api.bucketName), undefined);
        });

        it("a ready .tar.gz is uploaded as it is, keyed by its own hash", async () => {
            const archive = packModel(irisDir, modelDir({})).archivePath;
            await build("iris", { models: [{ name: "iris", path: archive }], image: { context } });
            assert.equal(mocks.find(T.object).inputs.key, `models/iris/${packModel(archive).sha256}/model.tar.gz`);
        });

        it("network isolation is off when asked", async () => {
            await build("iris", { ...iris(), endpoint: { networkIsolation: false } });
            assert.equal(mocks.find(T.model).inputs.enableNetworkIsolation, false);
        });

        it("instance type and count are passed to the production variant", async () => {
            await build("iris", { ...iris(), endpoint: { instanceType: "ml.c5.xlarge", instanceCount: 3 } });
            const variant = mocks.find(T.config).inputs.productionVariants[0];
            assert.deepEqual([variant.instanceType, variant.initialInstanceCount, variant.variantName], ["ml.c5.xlarge", 3, "AllTraffic"]);
        });

        it("serverless: memory and concurrency, no instances, no network isolation, Lambda told the 4 MB kind", async () => {
            await build("iris", { ...iris(), endpoint: { serverless: { memorySizeMb: 3072, maxConcurrency: 7 } } });
            const variant = mocks.find(T.config).inputs.productionVariants[0];
            assert.deepEqual(variant.serverlessConfig, { memorySizeInMb: 3072, maxConcurrency: 7 });
            assert.equal(variant.instanceType, undefined);
            assert.equal(variant.initialInstanceCount, undefined);
            assert.equal(mocks.find(T.model).inputs.enableNetworkIsolation, false);
            assert.equal(mocks.find(T.fn).inputs.environment.variables.ENDPOINT_KIND, "serverless");
        });

        it("serverless defaults to 2048 MB and a concurrency of 5", async () => {
            await build("iris", { ...iris(), endpoint: { serverless: {} } });
            assert.deepEqual(mocks.find(T.config).inputs.productionVariants[0].serverlessConfig, { memorySizeInMb: 2048, maxConcurrency: 5 });
        });

        it("autoscaling tracks invocations per instance with the given bounds and cooldowns", async () => {
            await build("iris", {
                ...iris(),
                endpoint: { autoscaling: { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 250, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 30 } },
            });
            const target = mocks.find(T.scalingTarget).inputs;
            const name = endpointName("iris", { organization: "org", project: "modelapi", stack: "test" });
            assert.deepEqual(
                [target.serviceNamespace, target.scalableDimension, target.resourceId, target.minCapacity, target.maxCapacity],
                ["sagemaker", "sagemaker:variant:DesiredInstanceCount", `endpoint/${name}/variant/AllTraffic`, 2, 6],
            );
            const policy = mocks.find(T.scalingPolicy).inputs;
            assert.equal(policy.policyType, "TargetTrackingScaling");
            assert.equal(policy.resourceId, target.resourceId);
            assert.deepEqual(policy.targetTrackingScalingPolicyConfiguration, {
                targetValue: 250,
                predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
                scaleInCooldown: 600,
                scaleOutCooldown: 30,
            });
            // The endpoint starts at the autoscaling floor.
            assert.equal(mocks.find(T.config).inputs.productionVariants[0].initialInstanceCount, 2);
        });

        it("autoscaling defaults: 1 to 4 instances, 100 invocations per instance, cooldowns 300 s in and 60 s out", async () => {
            await build("iris", { ...iris(), endpoint: { autoscaling: {} } });
            const target = mocks.find(T.scalingTarget).inputs;
            assert.deepEqual([target.minCapacity, target.maxCapacity], [1, 4]);
            const config = mocks.find(T.scalingPolicy).inputs.targetTrackingScalingPolicyConfiguration;
            assert.deepEqual([config.targetValue, config.scaleInCooldown, config.scaleOutCooldown], [100, 300, 60]);
        });

        it("data capture writes to the bucket's data-capture/ prefix, the only place the role may write", async () => {
            await build("iris", { ...iris(), endpoint: { dataCapture: { samplingPercentage: 20 } } });
            const capture = mocks.find(T.config).inputs.dataCaptureConfig;
            assert.equal(capture.enableCapture, true);
            assert.equal(capture.initialSamplingPercentage, 20);
            assert.equal(capture.destinationS3Uri, "s3://iris-artifacts-1234567/data-capture/");
            assert.deepEqual(capture.captureOptions, [{ captureMode: "Input" }, { captureMode: "Output" }]);
            const write = mocks.statement("iris-endpoint-policy", "WriteDataCapture");
            assert.deepEqual(write.Action, ["s3:PutObject"]);
            assert.deepEqual(write.Resource, ["arn:aws:s3:::iris-artifacts-1234567/data-capture/*"]);
        });

        it("data capture of a model given by s3Uri still gets a bucket of its own", async () => {
            await build("iris", { models: [{ name: "iris", s3Uri: "s3://team-models/iris.tar.gz" }], image: { context }, endpoint: { dataCapture: {} } });
            assert.equal(mocks.findAll(T.bucket).length, 1);
            assert.equal(mocks.find(T.config).inputs.dataCaptureConfig.initialSamplingPercentage, 100);
        });

        it("a KMS key encrypts the bucket, and the SageMaker role may decrypt with that key only", async () => {
            const kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            await build("iris", { ...iris(), artifacts: { kmsKeyArn } });
            assert.deepEqual(mocks.find(T.encryption).inputs.rules, [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true },
            ]);
            const s = mocks.statement("iris-endpoint-policy", "UseArtifactKey");
            assert.deepEqual([s.Action, s.Resource], [["kms:Decrypt"], [kmsKeyArn]]);
        });

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

        it("access logs can be turned off for accounts without API Gateway's CloudWatch role", async () => {
            await build("iris", { ...iris(), api: { accessLogs: false } });
            assert.equal(mocks.find(T.stage).inputs.accessLogSettings, undefined);
            assert.equal(mocks.findAll(T.logGroup).length, 2);
        });

        it("log retention of the endpoint's log group is configurable", async () => {
            await build("iris", { ...iris(), endpoint: { logRetentionDays: 90 } });
            assert.equal(mocks.find(T.logGroup, "iris-endpoint-logs").inputs.retentionInDays, 90);
        });

        it("container environment variables reach the SageMaker model", async () => {
            await build("iris", { ...iris(), endpoint: { environment: { SAGEMAKER_MODEL_SERVER_WORKERS: "2" } } });
            assert.deepEqual(mocks.find(T.model).inputs.primaryContainer.environment, { SAGEMAKER_MODEL_SERVER_WORKERS: "2" });
        });

        it("tags reach every taggable resource", async () => {
            await build("iris", { ...iris(), tags: { team: "ml" } });
            for (const type of [T.repo, T.bucket, T.object, T.role, T.logGroup, T.model, T.config, T.endpoint, T.fn, T.restApi, T.stage, T.apiKey, T.usagePlan]) {
                for (const r of mocks.findAll(type)) {
                    assert.deepEqual(r.inputs.tags, { team: "ml" }, `${type} ${r.name}`);
                }
            }
        });

        it("a new model archive makes a new Model and EndpointConfig but updates the same endpoint", async () => {
            await build("iris", iris());
            const before = { model: mocks.find(T.model).inputs, endpoint: mocks.find(T.endpoint).inputs };
            await build("iris", { ...iris(), models: [{ name: "iris", path: modelDir({ "model.joblib": "weights-v2" }) }] });
            const after = { model: mocks.find(T.model).inputs, endpoint: mocks.find(T.endpoint).inputs };
            // Model inputs are immutable in SageMaker, so a changed modelDataUrl replaces the auto-named Model.
            assert.notEqual(after.model.primaryContainer.modelDataUrl, before.model.primaryContainer.modelDataUrl);
            assert.equal(after.endpoint.name, before.endpoint.name);
        });

        it("a mixed-case name gives lower-case logical names to the bucket and repository, whose AWS names must be lower case", async () => {
            await build("Iris", { models: [{ name: "Iris", path: irisDir }], image: { context } });
            assert.equal(mocks.find(T.bucket).name, "iris-artifacts");
            assert.equal(mocks.find(T.repo).name, "iris-repo");
            assert.match(mocks.find(T.model).name, /^Iris-model-[0-9a-f]{5}$/);
        });

        it("works where Pulumi reports no organization, such as mocks set up without one", async () => {
            await pulumi.runtime.setMocks(
                { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({ proxyEndpoint: "p", userName: "u", password: "x" }) },
                "modelapi",
                "test",
            );
            try {
                const api = new ModelApi("iris", { models: iris().models, image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/s:1" } });
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
