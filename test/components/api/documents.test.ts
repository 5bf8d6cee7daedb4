/** The API documents as component outputs (components/api/documents.ts): for the stage's URL, without the API key. */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { build } from "../harness";
import { openApiErrors, postmanErrors } from "../../support/documents";
import { imageContext, modelDir } from "../fixtures";

describe("ModelApi outputs openApi and postmanCollection", function () {
    this.timeout(30000);
    const context = imageContext();

    it("point at the stage URL and never contain the API key", async () => {
        const api = await build("iris", { models: [{ name: "iris", path: modelDir() }], image: { context } });
        const doc = JSON.parse(await mocks.promiseOf(api.openApi));
        assert.deepEqual(doc.servers, [{ url: `https://api123.execute-api.${mocks.REGION}.amazonaws.com/v1` }]);
        assert.equal(await openApiErrors(doc), "");
        const collection = await mocks.promiseOf(api.postmanCollection);
        assert.equal(postmanErrors(JSON.parse(collection)), "");
        assert.ok(collection.includes(`https://api123.execute-api.${mocks.REGION}.amazonaws.com/v1`));
        const key = await mocks.promiseOf(api.apiKey);
        assert.ok(key && !collection.includes(key) && !JSON.stringify(doc).includes(key), "the API key leaked into a document");
    });
});
