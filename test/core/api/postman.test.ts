/**
 * The Postman collection (core/api/postman.ts): it validates against the collection v2.1 schema, has a request
 * per route, and never holds the API key.
 */
import { strict as assert } from "assert";
import { postmanErrors } from "../../support/documents";
import { ApiAuth } from "../../../components";
import { postmanCollection, POSTMAN_SCHEMA } from "../../../core/api/postman";

describe("Postman collection", () => {
    const url = "https://api123.execute-api.eu-west-1.amazonaws.com/v1";

    for (const auth of [ApiAuth.ApiKey, ApiAuth.Iam, ApiAuth.None]) {
        for (const multiModel of [false, true]) {
            it(`validates against the collection v2.1 schema: ${auth}${multiModel ? ", multi-model" : ""}`, () => {
                const collection = postmanCollection({ title: "iris", url, auth, multiModel, modelNames: ["iris", "wine"] });
                assert.equal((collection.info as any).schema, POSTMAN_SCHEMA);
                assert.equal(postmanErrors(collection), "");
            });
        }
    }

    it("the validator used here rejects a broken collection", () => {
        const collection = postmanCollection({ title: "iris", url, auth: ApiAuth.ApiKey, multiModel: false, modelNames: ["iris"] }) as any;
        collection.item[0].request.method = 42;
        assert.notEqual(postmanErrors(collection), "");
    });

    it("has one request per route, each with an example body and a test", () => {
        const collection = postmanCollection({
            title: "models",
            url,
            auth: ApiAuth.ApiKey,
            multiModel: true,
            modelNames: ["iris", "wine"],
        }) as any;
        assert.deepEqual(
            collection.item.map((i: any) => i.name),
            ["GET /models", "POST /models/{name}/predict"],
        );
        const predict = collection.item[1];
        assert.equal(predict.request.url.raw, "{{baseUrl}}/models/{{modelName}}/predict");
        assert.deepEqual(JSON.parse(predict.request.body.raw), { instances: [[5.1, 3.5, 1.4, 0.2]] });
        assert.equal(predict.event[0].listen, "test");
        assert.deepEqual(collection.variable.find((v: any) => v.key === "modelName").value, "iris");
    });

    it("keeps URL and API key as collection variables, with the key's value left empty", () => {
        const collection = postmanCollection({
            title: "iris",
            url: `${url}/`,
            auth: ApiAuth.ApiKey,
            multiModel: false,
            modelNames: ["iris"],
        }) as any;
        assert.deepEqual(
            collection.variable.map((v: any) => [v.key, v.value]),
            [
                ["baseUrl", url],
                ["apiKey", ""],
            ],
        );
        assert.deepEqual(
            collection.auth.apikey.map((p: any) => [p.key, p.value]),
            [
                ["key", "x-api-key"],
                ["value", "{{apiKey}}"],
                ["in", "header"],
            ],
        );
    });

    it("signs requests with AWS Signature Version 4 for iam, in the API's region, from the caller's credentials", () => {
        const collection = postmanCollection({ title: "iris", url, auth: ApiAuth.Iam, multiModel: false, modelNames: ["iris"] }) as any;
        const settings = Object.fromEntries(collection.auth.awsv4.map((p: any) => [p.key, p.value]));
        assert.deepEqual(settings, {
            accessKey: "{{awsAccessKeyId}}",
            secretKey: "{{awsSecretAccessKey}}",
            sessionToken: "{{awsSessionToken}}",
            region: "eu-west-1",
            service: "execute-api",
        });
        assert.equal(
            collection.variable.some((v: any) => v.key === "apiKey"),
            false,
        );
    });
});
