/**
 * Model generations (components/endpoint/generation.ts): each version of model, image and endpoint settings is
 * a new Model and EndpointConfig, and an update SageMaker rolled back fails instead of deleting what the
 * endpoint still runs.
 */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApi, ModelApiArgs } from "../../../components";
import { checkLiveConfig } from "../../../components/endpoint/generation";
import { imageContext, irisFixture, modelDir } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

describe("ModelApi generations: an update SageMaker rolled back", function () {
    this.timeout(60000);
    const { withEndpoint: base } = irisFixture();

    before(() => mocks.useMocks());

    after(() => mocks.liveEndpointConfigs.clear());

    it("outputs the live endpoint config when the endpoint runs the one deployed", async () => {
        const api = await build("iris", base({}));
        assert.equal(await mocks.promiseOf(api.endpointConfigName), mocks.find(T.endpoint).inputs.endpointConfigName);
    });

    it("fails the update with what happened and what to do, when the endpoint still runs the previous config", async () => {
        mocks.liveEndpointConfigs.clear();
        const probe = await build("iris", base({}));
        mocks.liveEndpointConfigs.set(await mocks.promiseOf(probe.endpointName), "iris-config-00000-1234567");
        mocks.reset();
        const api = new ModelApi("iris", base({}), { transformations: [mocks.recordParents] });
        const failure = await new Promise<Error>((resolve) => {
            (api.endpointConfigName as any).promise().then(() => resolve(new Error("no failure")), resolve);
        });
        assert.match(
            failure.message,
            /runs endpoint config iris-config-00000-1234567, not iris-config-[0-9a-f]{5}-1234567 that this update deployed: SageMaker rolled the update back/,
        );
        assert.match(failure.message, /nothing it uses was deleted\. Fix or revert the change, run `pulumi refresh`, then `pulumi up`\./);
        await mocks.settle();
    });

    it("the check compares the live config with the one this program deployed", () => {
        assert.equal(checkLiveConfig("iris", "e", "c-2", { EndpointConfigName: "c-2" }), "c-2");
        assert.throws(() => checkLiveConfig("iris", "e", "c-2", { EndpointConfigName: "c-1" }), /runs endpoint config c-1, not c-2/);
    });

    it("a new model version is a new generation of Model and EndpointConfig, never a replacement of the live one", async () => {
        await build("iris", base({}));
        const first = mocks
            .all()
            .filter((r) => r.type.startsWith("aws:sagemaker/model") || r.type.startsWith("aws:sagemaker/endpointConfiguration"))
            .map((r) => r.name);
        await build("iris", { ...base({}), models: [{ name: "iris", path: modelDir({ "model.joblib": "weights-v2" }) }] });
        const second = mocks
            .all()
            .filter((r) => r.type.startsWith("aws:sagemaker/model") || r.type.startsWith("aws:sagemaker/endpointConfiguration"))
            .map((r) => r.name);
        assert.equal(first.length, 2);
        assert.equal(second.length, 2);
        assert.deepEqual(
            first.filter((n) => second.includes(n)),
            [],
            `${first} vs ${second}`,
        );
        await build("iris", base({}));
        assert.deepEqual(
            mocks
                .all()
                .filter((r) => r.type.startsWith("aws:sagemaker/model") || r.type.startsWith("aws:sagemaker/endpointConfiguration"))
                .map((r) => r.name),
            first,
        );
    });

    it("a new image is a new generation too: another image URI, or another build context, renames Model and EndpointConfig", async () => {
        const generation = async (args: ModelApiArgs) => {
            await build("iris", args);
            return [mocks.find(T.model).name, mocks.find(T.config).name];
        };
        const uri = (tag: string) => ({ uri: `111122223333.dkr.ecr.us-east-1.amazonaws.com/serving:${tag}` });
        const first = await generation(base({}, { image: uri("1") }));
        assert.deepEqual(await generation(base({}, { image: uri("1") })), first);
        const second = await generation(base({}, { image: uri("2") }));
        assert.ok(
            second.every((n) => !first.includes(n)),
            `${first} vs ${second}`,
        );
        const built = await generation(
            base({}, { image: { context: imageContext({ Dockerfile: "FROM scratch\n", "serve.py": "v2\n" }) } }),
        );
        const rebuilt = await generation(
            base({}, { image: { context: imageContext({ Dockerfile: "FROM scratch\n", "serve.py": "v3\n" }) } }),
        );
        assert.ok(
            rebuilt.every((n) => !built.includes(n)),
            `${built} vs ${rebuilt}`,
        );
    });

    it("a superseded single-model archive is retained (the bucket's forceDestroy still empties it on destroy)", async () => {
        mocks.useMocks();
        mocks.reset();
        const retained: { [type: string]: boolean | undefined } = {};
        new ModelApi("iris", base({}), {
            transformations: [
                mocks.recordParents,
                (a) => {
                    retained[a.type] = a.opts.retainOnDelete;
                    return undefined;
                },
            ],
        });
        await mocks.settle();
        assert.equal(retained["aws:s3/bucketObjectv2:BucketObjectv2"], true);
        assert.equal(retained["aws:sagemaker/model:Model"], undefined);
        assert.equal(mocks.find("aws:s3/bucket:Bucket").inputs.forceDestroy, true);
    });
});
