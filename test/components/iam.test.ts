/**
 * IAM of the single-model graph (components/iam.ts, endpoint/endpoint.ts, api/function.ts, image/serving-image.ts):
 * every role, role policy, bucket policy and repository policy is scoped to the component's own resources.
 */
import * as mocks from "./mocks";
import { strict as assert } from "assert";
import { ModelApi } from "../../components";
import { irisFixture } from "./fixtures";
import { build } from "./harness";
import { T } from "./resource-types";

describe("ModelApi IAM", function () {
    this.timeout(30000);
    const { context, iris } = irisFixture();

    before(() => mocks.useMocks());

    describe("defaults", () => {
        let api: ModelApi;
        before(async () => {
            api = await build("iris", iris());
        });

        it("no policy grants a wildcard action, and the only wildcard resource is the endpoint role's ECR token", () => {
            const docs = mocks.policyDocuments();
            assert.equal(docs.length, 4); // two role policies, the bucket policy, the repository policy
            const onWildcard: string[] = [];
            for (const { owner, doc } of docs) {
                for (const s of doc.Statement) {
                    if (mocks.asArray(s.Resource ?? []).includes("*")) {
                        onWildcard.push(`${owner}/${s.Sid}`);
                    }
                    for (const action of mocks.asArray(s.Action)) {
                        assert.notEqual(action, "*", `${owner}/${s.Sid} allows *`);
                        if (s.Effect === "Allow") {
                            assert.ok(!action.endsWith(":*"), `${owner}/${s.Sid} allows ${action}`);
                        }
                    }
                }
            }
            assert.deepEqual(onWildcard, ["iris-endpoint-policy/GetEcrAuthorizationToken"]);
        });

        it('the SageMaker role may get an ECR authorization token: that one action on "*", in a statement of its own', () => {
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "GetEcrAuthorizationToken"), {
                Sid: "GetEcrAuthorizationToken",
                Effect: "Allow",
                Action: ["ecr:GetAuthorizationToken"],
                Resource: ["*"],
            });
            const onWildcard = mocks
                .policyDocuments()
                .flatMap((d) => d.doc.Statement)
                .filter((s: any) => mocks.asArray(s.Resource ?? []).includes("*"))
                .flatMap((s: any) => mocks.asArray(s.Action));
            assert.deepEqual(onWildcard, ["ecr:GetAuthorizationToken"]);
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

        it("the SageMaker role pulls only from its own repository", () => {
            const s = mocks.statement("iris-endpoint-policy", "PullServingImage");
            assert.deepEqual(s.Resource, [`arn:aws:ecr:${mocks.REGION}:${mocks.ACCOUNT}:repository/iris-repo-1234567`]);
            assert.deepEqual(s.Action.sort(), ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
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
            assert.deepEqual(
                trust("iris-endpoint-role").map((s: any) => s.Principal),
                [{ Service: "sagemaker.amazonaws.com" }],
            );
            assert.deepEqual(
                trust("iris-function-role").map((s: any) => s.Principal),
                [{ Service: "lambda.amazonaws.com" }],
            );
        });
    });

    describe("options", () => {
        it("image.uri in ECR: the SageMaker role may get an ECR token, and pulls through the repository's own policy", async () => {
            await build("iris", { models: iris().models, image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1.0" } });
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "GetEcrAuthorizationToken").Resource, ["*"]);
            assert.throws(() => mocks.statement("iris-endpoint-policy", "PullServingImage"), /no statement/);
        });

        it("image.uri outside ECR: no ECR token and no pull statement", async () => {
            await build("iris", { models: iris().models, image: { uri: "registry.example.com/serving:1.0" } });
            assert.throws(() => mocks.statement("iris-endpoint-policy", "GetEcrAuthorizationToken"), /no statement/);
            assert.throws(() => mocks.statement("iris-endpoint-policy", "PullServingImage"), /no statement/);
            const resources = mocks.policyDocuments().flatMap((d) => d.doc.Statement.flatMap((s: any) => mocks.asArray(s.Resource ?? [])));
            assert.ok(!resources.includes("*"));
        });

        it("image.repositoryArn lets the SageMaker role pull from that repository only", async () => {
            const repositoryArn = "arn:aws:ecr:us-east-1:111122223333:repository/serving";
            await build("iris", {
                models: iris().models,
                image: { uri: "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1.0", repositoryArn },
            });
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "PullServingImage").Resource, [repositoryArn]);
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "GetEcrAuthorizationToken").Resource, ["*"]);
        });

        it("s3Uri given: the SageMaker role reads only that object", async () => {
            await build("iris", { models: [{ name: "iris", s3Uri: "s3://team-models/iris/v3/model.tar.gz" }], image: { context } });
            assert.deepEqual(mocks.statement("iris-endpoint-policy", "ReadModelArtifacts").Resource, [
                "arn:aws:s3:::team-models/iris/v3/model.tar.gz",
            ]);
        });

        it("data capture: the SageMaker role may write only under the bucket's data-capture/ prefix", async () => {
            await build("iris", { ...iris(), endpoint: { dataCapture: { samplingPercentage: 20 } } });
            const write = mocks.statement("iris-endpoint-policy", "WriteDataCapture");
            assert.deepEqual(write.Action, ["s3:PutObject"]);
            assert.deepEqual(write.Resource, ["arn:aws:s3:::iris-artifacts-1234567/data-capture/*"]);
        });

        it("a KMS key: the SageMaker role may decrypt with that key only", async () => {
            const kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            await build("iris", { ...iris(), artifacts: { kmsKeyArn } });
            const s = mocks.statement("iris-endpoint-policy", "UseArtifactKey");
            assert.deepEqual([s.Action, s.Resource], [["kms:Decrypt"], [kmsKeyArn]]);
        });
    });
});
