/**
 * The Postman collection (core/api/postman.ts): it validates against the collection v2.1 schema, has a request
 * per route, and never holds the API key.
 */
import { strict as assert } from "assert";
import { postmanErrors } from "../../support/documents";
import { ApiAuth } from "../../../components";
import { npyOf } from "../../../core/api/npy";
import { postmanCollection, POSTMAN_SCHEMA } from "../../../core/api/postman";
import { requestBodyLimits, VARIANT_HEADER } from "../../../contract";

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

    it("describes an asynchronous API: a folder per asynchronous route, the queued prediction's id kept for the poll", () => {
        const collection = postmanCollection({
            title: "iris",
            url,
            auth: ApiAuth.ApiKey,
            multiModel: false,
            modelNames: ["iris"],
            endpointKind: "async",
        }) as any;
        assert.equal(postmanErrors(collection), "");
        assert.deepEqual(
            collection.item.map((f: any) => f.name),
            ["POST /predict", "GET /predictions/{id}", "POST /uploads", "POST /uploads/{id}/predict"],
        );
        const queued = collection.item[0].item[0];
        assert.match(queued.event[0].script.exec.join("\n"), /status\(202\)[\s\S]*predictionId/);
        assert.equal(collection.item[1].item[0].request.url.raw, "{{baseUrl}}/predictions/{{predictionId}}");
        const sync = postmanCollection({ title: "iris", url, auth: ApiAuth.ApiKey, multiModel: false, modelNames: ["iris"] }) as any;
        assert.deepEqual(
            sync.item.map((f: any) => f.name),
            ["POST /predict"],
        );
    });

    it("the validator used here rejects a broken collection", () => {
        const collection = postmanCollection({ title: "iris", url, auth: ApiAuth.ApiKey, multiModel: false, modelNames: ["iris"] }) as any;
        collection.item[0].item[0].request.method = 42;
        assert.notEqual(postmanErrors(collection), "");
    });

    it("has a folder per route with a request per content type and per error a caller can cause, each with a test", () => {
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
        assert.deepEqual(
            collection.item[0].item.map((i: any) => i.name),
            ["the served models", "403 Forbidden: no API key"],
        );
        const predict = collection.item[1].item;
        assert.deepEqual(
            predict.map((i: any) => i.name),
            [
                "JSON rows",
                "CSV rows, CSV answer",
                "NPY rows",
                "JSON rows, NPY answer",
                "400 BadRequest: a body that is not JSON",
                "400 ModelError: a row with too few features",
                "403 Forbidden: no API key",
                "404 ModelNotFound: a model that is not served here",
                "406 NotAcceptable: NPY accepted, but not as the first type",
                "413 PayloadTooLarge: a body one byte over the limit",
                "415 UnsupportedMediaType: an XML body",
            ],
        );
        assert.equal(predict[0].request.url.raw, "{{baseUrl}}/models/{{modelName}}/predict");
        assert.deepEqual(JSON.parse(predict[0].request.body.raw), { instances: [[5.1, 3.5, 1.4, 0.2]] });
        assert.deepEqual(collection.variable.find((v: any) => v.key === "modelName").value, "iris");
        for (const item of [...collection.item[0].item, ...predict]) {
            const test = item.event.find((e: any) => e.listen === "test");
            assert.ok(
                test.script.exec.some((l: string) => l.includes("pm.response.to.have.status(")),
                item.name,
            );
            const status = /^(\d{3}) (\w+)/.exec(item.name);
            if (status)
                assert.ok(
                    test.script.exec.some((l: string) => l.includes(`error.code).to.eql('${status[2]}')`)),
                    item.name,
                );
        }
        // The only requests without the collection's credentials are those that test their absence.
        assert.deepEqual(
            [...collection.item[0].item, ...predict].filter((i: any) => i.request.auth).map((i: any) => i.name),
            ["403 Forbidden: no API key", "403 Forbidden: no API key"],
        );
    });

    it("with model versions, asks each version and tests that it answered, and tests the 400 for a version not served", () => {
        const collection = postmanCollection({
            title: "iris",
            url,
            auth: ApiAuth.None,
            multiModel: false,
            modelNames: ["iris"],
            variantNames: ["v1", "v2"],
        }) as any;
        assert.equal(postmanErrors(collection), "");
        const predict = collection.item[0].item;
        const pinned = predict.filter((i: any) => i.request.header.some((h: any) => h.key === VARIANT_HEADER));
        assert.deepEqual(
            pinned.map((i: any) => [i.name, i.request.header.find((h: any) => h.key === VARIANT_HEADER).value]),
            [
                ["JSON rows, asking version v1", "v1"],
                ["JSON rows, asking version v2", "v2"],
                ["400 BadRequest: a model version this API does not serve", "not_a_served_version"],
            ],
        );
        assert.match(pinned[1].event[0].script.exec.join("\n"), /x-modelapi-variant'\)\)\.to\.eql\('v2'\)/);
        const single = postmanCollection({ title: "iris", url, auth: ApiAuth.None, multiModel: false, modelNames: ["iris"] }) as any;
        assert.equal(
            single.item[0].item.some((i: any) => i.request.header.some((h: any) => h.key === VARIANT_HEADER)),
            false,
        );
    });

    it("carries the NPY body as the .npy bytes of the example rows, and makes the oversized body only when sent", () => {
        const rows = [
            [1, 2, 3, 4],
            [5, 6, 7, 8],
        ];
        const collection = postmanCollection({
            title: "iris",
            url,
            auth: ApiAuth.None,
            multiModel: false,
            modelNames: ["iris"],
            exampleRows: rows,
        }) as any;
        const byName = (name: string) => collection.item[0].item.find((i: any) => i.name.startsWith(name));
        assert.deepEqual(Buffer.from(byName("NPY rows").request.body.file.content, "base64"), npyOf(rows));
        const tooLarge = byName("413");
        assert.equal(tooLarge.request.body.raw, "");
        assert.deepEqual(tooLarge.event[0].script.exec, [`pm.request.body.update('a'.repeat(${requestBodyLimits("realtime").text + 1}));`]);
        const serverless = postmanCollection({
            title: "iris",
            url,
            auth: ApiAuth.None,
            multiModel: false,
            modelNames: ["iris"],
            endpointKind: "serverless",
        }) as any;
        assert.ok(JSON.stringify(serverless).includes(`repeat(${requestBodyLimits("serverless").text + 1})`));
        // No credentials asked for, so no request tests their absence.
        assert.equal(collection.item[0].item.filter((i: any) => i.name.startsWith("403")).length, 0);
    });

    it("tests an unsigned request's 403 under iam auth", () => {
        const collection = postmanCollection({ title: "iris", url, auth: ApiAuth.Iam, multiModel: false, modelNames: ["iris"] }) as any;
        const names = collection.item[0].item.map((i: any) => i.name);
        assert.ok(names.includes("403 MissingAuthenticationToken: unsigned"), names.join(", "));
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
