/** The API documents as component outputs (components/api/documents.ts): for the stage's URL, without the API key. */
import * as mocks from "../mocks";
import { strict as assert } from "assert";
import { build } from "../harness";
import { openApiErrors, postmanErrors } from "../../support/documents";
import { imageContext, modelDir } from "../fixtures";
import { VARIANT_HEADER } from "../../../contract";

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

    it("with endpoint.variants, offer the variant header with exactly the production variants a caller may pin", async () => {
        const v2 = modelDir({ "model.joblib": "weights-v2" });
        const api = await build("fraud", {
            models: [{ name: "fraud", path: modelDir() }],
            image: { context },
            endpoint: {
                variants: [
                    { name: "v1", weight: 90 },
                    { name: "v2", weight: 10, model: { path: v2 } },
                ],
            },
        });
        const doc = JSON.parse(await mocks.promiseOf(api.openApi));
        const pin = doc.paths["/predict"].post.parameters.find((p: { name: string }) => p.name === VARIANT_HEADER);
        assert.deepEqual(pin?.schema?.enum, ["v1", "v2"]);
        assert.equal(await openApiErrors(doc), "");
        const collection = JSON.parse(await mocks.promiseOf(api.postmanCollection));
        assert.equal(postmanErrors(collection), "");
        assert.ok(JSON.stringify(collection).includes(VARIANT_HEADER), "the collection has no pinned request");
    });
});
