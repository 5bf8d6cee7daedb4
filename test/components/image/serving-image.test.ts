/**
 * The serving image in the ModelApi graph (components/image/serving-image.ts): an ECR repository of its own,
 * built from a context and tagged by content, or an existing image URI.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ModelApi } from "../../../components";
import { contextTag } from "../../../core/archive/context-hash";
import { isEcrImageUri } from "../../../components/image/serving-image";
import { irisFixture } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
// A secret reaches the mock monitor wrapped with Pulumi's secret signature.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270";

describe("ModelApi serving image", function () {
    this.timeout(30000);
    const { irisDir, context, iris } = irisFixture();

    before(() => mocks.useMocks());

    describe("built here", () => {
        let api: ModelApi;
        before(async () => {
            api = await build("iris", iris());
        });

        it("the ECR repository scans on push and is force-deleted", () => {
            const repo = mocks.find(T.repo).inputs;
            assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
            assert.equal(repo.forceDelete, true);
        });

        it("the ECR lifecycle policy keeps the last 10 tagged images and expires untagged ones only after 30 days", () => {
            const rules = JSON.parse(mocks.find(T.lifecycle).inputs.policy).rules;
            assert.deepEqual(rules, [
                {
                    rulePriority: 1,
                    description: "keep the last 10 tagged images",
                    selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 10 },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 2,
                    description: "expire untagged images after 30 days",
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 30 },
                    action: { type: "expire" },
                },
            ]);
        });

        it("no rule counts untagged images, so the digest SageMaker pinned is never expired by newer pushes", () => {
            const rules = JSON.parse(mocks.find(T.lifecycle).inputs.policy).rules;
            for (const rule of rules) {
                assert.notEqual(rule.selection.tagStatus, "any");
                if (rule.selection.tagStatus === "untagged") {
                    assert.equal(rule.selection.countType, "sinceImagePushed");
                }
            }
        });

        it("a second build with nothing changed gives the same lifecycle policy, image URI and model", async () => {
            const first = { lifecycle: mocks.find(T.lifecycle).inputs, model: mocks.find(T.model).inputs };
            await build("iris", iris());
            assert.deepEqual(mocks.find(T.lifecycle).inputs, first.lifecycle);
            assert.deepEqual(mocks.find(T.model).inputs, first.model);
        });

        it("the image is built from the context for linux/amd64, pushed, and tagged by content, never latest", () => {
            const image = mocks.find(T.image).inputs;
            assert.equal(image.context.location, context);
            assert.deepEqual(image.platforms, ["linux/amd64"]);
            const tag = contextTag(context);
            assert.deepEqual(image.tags, [`${mocks.ACCOUNT}.dkr.ecr.${mocks.REGION}.amazonaws.com/iris-repo-1234567:${tag}`]);
            assert.match(tag, /^[0-9a-f]{12}$/);
        });

        it("the image is pushed as SageMaker pulls it: a Docker v2 manifest for one platform, no OCI media types, no attestations", () => {
            const image = mocks.find(T.image).inputs;
            assert.equal(image.exports.length, 1);
            assert.equal(image.exports[0].registry.ociMediaTypes, false);
            assert.notEqual(image.exports[0].registry.push, false);
            assert.equal(image.platforms.length, 1);
            // push: true would add a registry export of its own, with BuildKit's defaults
            assert.equal(image.push, false);
            // exec: true shells out to a buildx that adds a provenance attestation by default
            assert.ok(!image.exec, "exec is set");
            assert.equal(image.load, undefined);
        });

        it("the image is pushed with the registry's short-lived token, kept secret", () => {
            const registries = mocks.find(T.image).inputs.registries;
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
            assert.ok(
                urns.some((urn) => urn.endsWith("docker-build:index:Image::iris-image")),
                urns.join(", "),
            );
        });
    });

    describe("options", () => {
        it("by default the image is built from the container/ directory shipped with the package", async () => {
            await build("iris", { models: [{ name: "iris", path: irisDir }] });
            assert.equal(mocks.find(T.image).inputs.context.location, path.join(REPO_ROOT, "container"));
        });

        it("image.keepImages sets how many images the repository keeps", async () => {
            await build("iris", { ...iris(), image: { context, keepImages: 3 } });
            const rules = JSON.parse(mocks.find(T.lifecycle).inputs.policy).rules;
            assert.deepEqual(
                rules.map((r: any) => [r.selection.tagStatus, r.selection.countNumber]),
                [
                    ["tagged", 3],
                    ["untagged", 30],
                ],
            );
        });

        it("image.platform is part of the tag: the same files for another platform are another image and a new generation", async () => {
            await build("iris", { ...iris(), image: { context, platform: "linux/arm64" } });
            const image = mocks.find(T.image).inputs;
            assert.deepEqual(image.platforms, ["linux/arm64"]);
            const tag = contextTag(context, undefined, "linux/arm64");
            assert.notEqual(tag, contextTag(context));
            assert.deepEqual(image.tags, [`${mocks.ACCOUNT}.dkr.ecr.${mocks.REGION}.amazonaws.com/iris-repo-1234567:${tag}`]);
            const arm = mocks.find(T.model).name;
            await build("iris", iris());
            assert.notEqual(mocks.find(T.model).name, arm);
        });

        it("image.uri given: no repository, no build, and SageMaker runs that URI", async () => {
            const uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1.0";
            const api = await build("iris", { models: iris().models, image: { uri } });
            for (const type of [T.repo, T.lifecycle, T.repoPolicy, T.image]) {
                assert.equal(mocks.findAll(type).length, 0, type);
            }
            assert.equal(mocks.find(T.model).inputs.primaryContainer.image, uri);
            assert.equal(await mocks.promiseOf(api.imageUri), uri);
        });
    });
});

describe("isEcrImageUri", () => {
    it("recognises private ECR registries, FIPS and China regions included, and nothing else", () => {
        for (const uri of [
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:1.0",
            "111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/serving@sha256:abc",
            "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/team/serving:2",
        ]) {
            assert.equal(isEcrImageUri(uri), true, uri);
        }
        for (const uri of [
            "public.ecr.aws/team/serving:1",
            "registry.example.com/serving:1",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.com/x:1",
        ]) {
            assert.equal(isEcrImageUri(uri), false, uri);
        }
    });
});
