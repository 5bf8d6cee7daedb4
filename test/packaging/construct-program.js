// What happens at `pulumi up` when a Python (or Go, C#, YAML) program uses ModelApi: the engine asks the
// plugin to construct `modelapi:index:ModelApi` with the inputs named as in the schema, and the plugin's
// ComponentProvider builds the TypeScript component from them and returns the schema's outputs as its
// state. Run here under mocks against the installed package, with the inputs a Python program sends.
"use strict";

const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { ComponentProvider } = require("@pulumi/pulumi/provider/experimental/provider");
const { installMocks, plain, report, fail } = require("./consumer-mocks");

const resources = installMocks();
const modelapi = require("modelapi");

async function main() {
    const [, , modelDir] = process.argv;
    const provider = new ComponentProvider({
        name: "modelapi",
        dirname: path.dirname(require.resolve("modelapi/package.json")),
        components: [modelapi.ModelApi],
    });
    // modelapi.ModelApi("py", models=[ModelSpecArgs(name=..., path=...)], api=ApiArgsArgs(auth=ApiAuth.IAM),
    // tags={...}) arrives as the schema's property names and the enum's value.
    const inputs = {
        models: [{ name: "py-model", path: modelDir }],
        api: { auth: "iam" },
        tags: { team: "python" },
    };
    // Inputs the component refuses: what the plugin's provider server gets back to answer the engine with.
    let refused = { refused: false };
    try {
        await provider.construct(
            "refused",
            "modelapi:index:ModelApi",
            { models: [{ name: "py-model", path: modelDir }], endpoint: { instanceCount: 0 }, api: { auht: "iam" } },
            {},
        );
    } catch (err) {
        refused = { inputPropertiesError: pulumi.InputPropertiesError.isInstance(err), name: err.name, errors: err.errors };
    }
    refused.registered = resources.filter((r) => r.name.startsWith("refused")).length;
    const result = await provider.construct("from-python", "modelapi:index:ModelApi", inputs, {});
    const state = {};
    for (const [key, value] of Object.entries(result.state)) state[key] = await plain(value);
    const urn = await plain(result.urn);
    await pulumi.runtime.disconnect();
    report("CONSTRUCT", {
        urn,
        state,
        schemaOutputs: Object.keys(JSON.parse(await provider.getSchema()).resources["modelapi:index:ModelApi"].properties).sort(),
        types: resources.map((r) => r.type),
        refused,
    });
}

main().catch(fail);
