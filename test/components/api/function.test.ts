/** The Lambda between API Gateway and SageMaker in the ModelApi graph (components/api/function.ts). */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { ModelApi } from "../../../components";
import { resolveLambdaBundle } from "../../../lambda/bundle";
import { imageContext, modelDir } from "../fixtures";
import { build } from "../harness";
import { T } from "../resource-types";

describe("ModelApi function", function () {
    this.timeout(30000);
    const irisDir = modelDir();
    const context = imageContext();

    before(() => mocks.useMocks());

    let api: ModelApi;
    before(async () => {
        api = await build("iris", { models: [{ name: "iris", path: irisDir }], image: { context } });
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
});
