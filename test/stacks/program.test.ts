/**
 * The stack program under Pulumi mocks: one ModelApi per model or one multi-model ModelApi, the
 * outputs it exports, and config mistakes reported as one clean line.
 */
import * as mocks from "../components/mocks";
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { imageContext, modelDir } from "../components/fixtures";
import { T } from "../components/resource-types";
import { planStack } from "../../stacks/config";
import { runStack } from "../../stacks/program";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

describe("stack program", function () {
    this.timeout(30000);
    const context = imageContext();
    const irisDir = modelDir({ "model.joblib": "iris" });
    const wineDir = modelDir({ "model.joblib": "wine" });
    const config = (extra: { [key: string]: unknown } = {}) => ({
        models: JSON.stringify([
            { name: "iris", path: irisDir },
            { name: "wine", path: wineDir },
        ]),
        image: JSON.stringify({ context }),
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
    });

    beforeEach(() => {
        mocks.useMocks();
        mocks.reset();
    });

    /** The ModelApi components registered so far; call once an output of each has resolved. */
    function components(): string[] {
        return mocks
            .findAll(T.component)
            .map((r) => r.name)
            .sort();
    }

    it("without multiModel deploys one ModelApi per model and exports each one's outputs under apis", async () => {
        const outputs = runStack(planStack(config(), REPO_ROOT)) as any;
        assert.deepEqual(Object.keys(outputs), ["apis"]);
        assert.deepEqual(Object.keys(outputs.apis).sort(), ["iris", "wine"]);
        assert.equal(await mocks.promiseOf(outputs.apis.wine.url), `https://api123.execute-api.${mocks.REGION}.amazonaws.com/v1`);
        assert.equal(await mocks.promiseOf(outputs.apis.iris.functionName), "iris-function-1234567");
        assert.deepEqual(components(), ["iris", "wine"]);
        assert.equal(await mocks.isSecret(outputs.apis.iris.apiKey), true);
        assert.equal(mocks.findAll(T.endpoint).length, 2);
    });

    it("with multiModel: true deploys one multi-model ModelApi and exports its outputs at the top level", async () => {
        const outputs = runStack(planStack(config({ multiModel: true }), REPO_ROOT)) as any;
        assert.deepEqual(Object.keys(outputs).sort(), [
            "alarmNames",
            "apiKey",
            "bucketName",
            "dashboardUrl",
            "endpointName",
            "functionName",
            "imageUri",
            "modelDataUrl",
            "openApi",
            "postmanCollection",
            "url",
        ]);
        assert.equal(await mocks.promiseOf(outputs.modelDataUrl), "s3://models-artifacts-1234567/multi-model/");
        // The URL resolves only once the stage, and so the endpoint before it, is registered.
        await mocks.promiseOf(outputs.url);
        assert.deepEqual(components(), ["models"]);
        assert.equal(mocks.findAll(T.endpoint).length, 1);
    });

    describe("entry point", () => {
        let saved: { [key: string]: string };
        beforeEach(() => {
            saved = pulumi.runtime.allConfig();
        });
        afterEach(() => {
            pulumi.runtime.setAllConfig(saved);
            delete require.cache[require.resolve("../../stacks")];
        });

        function loadEntry(values: { [key: string]: string }): unknown {
            pulumi.runtime.setAllConfig(values);
            delete require.cache[require.resolve("../../stacks")];
            return require("../../stacks");
        }

        it("reads the modelapi: config and exports the outputs", async () => {
            const outputs = loadEntry({
                "modelapi:models": JSON.stringify([{ name: "iris", path: irisDir }]),
                "modelapi:image": JSON.stringify({ context }),
            }) as any;
            assert.match(await mocks.promiseOf(outputs.endpointName), /^iris-endpoint-[0-9a-f]{7}$/);
            assert.deepEqual(components(), ["iris"]);
        });

        it("reports a config mistake as a RunError: one line, no stack trace of the program", () => {
            assert.throws(
                () => loadEntry({}),
                (err: unknown) => {
                    assert.ok(pulumi.RunError.isInstance(err), String(err));
                    assert.match((err as Error).message, /^modelapi:models is not set; /);
                    return true;
                },
            );
            assert.deepEqual(mocks.all(), []);
        });

        it("refuses a modelapi: key it does not know, such as a misspelt modelapi:endpont", () => {
            assert.throws(
                () =>
                    loadEntry({
                        "modelapi:models": JSON.stringify([{ name: "iris", path: irisDir }]),
                        "modelapi:endpont": JSON.stringify({ instanceType: "ml.c5.large" }),
                        "aws:region": "us-east-1",
                    }),
                (err: unknown) => {
                    assert.ok(pulumi.RunError.isInstance(err), String(err));
                    assert.match(
                        (err as Error).message,
                        /^modelapi:endpont is not a setting of this program; expected one of modelapi:models, /,
                    );
                    return true;
                },
            );
            assert.deepEqual(mocks.all(), []);
        });

        it("reports an impossible combination from the component as a RunError naming the arguments", () => {
            assert.throws(
                () =>
                    loadEntry({
                        "modelapi:models": JSON.stringify([{ name: "iris", path: irisDir }]),
                        "modelapi:endpoint": JSON.stringify({ serverless: {}, autoscaling: {} }),
                    }),
                (err: unknown) => {
                    assert.ok(pulumi.RunError.isInstance(err), String(err));
                    assert.equal(
                        (err as Error).message,
                        `ModelApi "iris": endpoint.serverless cannot be combined with endpoint.autoscaling: serverless endpoints scale by maxConcurrency`,
                    );
                    return true;
                },
            );
        });
    });
});
