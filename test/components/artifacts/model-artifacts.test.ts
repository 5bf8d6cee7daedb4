/**
 * The artifact bucket and the model archives in it (components/artifacts/model-artifacts.ts) in the ModelApi graph:
 * private, encrypted, TLS only, content-addressed keys.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApi } from "../../../components";
import { packModel } from "../../../core/archive/pack";
import { multiModelKey, singleModelKey } from "../../../components/artifacts/model-artifacts";
import { irisFixture, modelDir } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

describe("ModelApi storage", function () {
    this.timeout(30000);
    const { irisDir, context, iris } = irisFixture();

    before(() => mocks.useMocks());

    describe("defaults", () => {
        let api: ModelApi;
        before(async () => {
            api = await build("iris", iris());
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

        it("the model archive is uploaded under models/<model>/<sha256>/model.tar.gz", async () => {
            const { sha256 } = packModel(irisDir);
            const object = mocks.find(T.object).inputs;
            assert.equal(object.key, `models/iris/${sha256}/model.tar.gz`);
            assert.equal(object.key, singleModelKey("iris", sha256));
            assert.equal(await mocks.promiseOf(api.modelDataUrl), `s3://iris-artifacts-1234567/${object.key}`);
            assert.equal(mocks.find(T.model).inputs.primaryContainer.modelDataUrl, `s3://iris-artifacts-1234567/${object.key}`);
        });
    });

    describe("options", () => {
        it("s3Uri given: nothing is uploaded, no bucket is made, and SageMaker reads that URI", async () => {
            const s3Uri = "s3://team-models/iris/v3/model.tar.gz";
            const api = await build("iris", { models: [{ name: "iris", s3Uri }], image: { context } });
            assert.equal(mocks.findAll(T.object).length, 0);
            assert.equal(mocks.findAll(T.bucket).length, 0);
            assert.equal(mocks.find(T.model).inputs.primaryContainer.modelDataUrl, s3Uri);
            assert.equal(await mocks.promiseOf(api.bucketName), undefined);
        });

        it("a ready .tar.gz is uploaded as it is, keyed by its own hash", async () => {
            const archive = packModel(irisDir, modelDir({})).archivePath;
            await build("iris", { models: [{ name: "iris", path: archive }], image: { context } });
            assert.equal(mocks.find(T.object).inputs.key, `models/iris/${packModel(archive).sha256}/model.tar.gz`);
        });

        it("data capture of a model given by s3Uri still gets a bucket of its own", async () => {
            await build("iris", {
                models: [{ name: "iris", s3Uri: "s3://team-models/iris.tar.gz" }],
                image: { context },
                endpoint: { dataCapture: {} },
            });
            assert.equal(mocks.findAll(T.bucket).length, 1);
            assert.equal(mocks.find(T.config).inputs.dataCaptureConfig.initialSamplingPercentage, 100);
        });

        it("a KMS key encrypts the bucket with SSE-KMS and a bucket key", async () => {
            const kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            await build("iris", { ...iris(), artifacts: { kmsKeyArn } });
            assert.deepEqual(mocks.find(T.encryption).inputs.rules, [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true },
            ]);
        });
    });
});

describe("model archive keys", () => {
    it("the single-model key carries the archive's hash; the multi-model key is the model's name", () => {
        assert.equal(singleModelKey("iris", "ab12"), "models/iris/ab12/model.tar.gz");
        assert.equal(multiModelKey("iris"), "multi-model/iris.tar.gz");
    });
});
