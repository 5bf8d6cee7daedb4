// A TypeScript team's program, reduced to plain JavaScript so it runs with `node` alone: under mocks it
// builds a ModelApi from the installed `modelapi` package and prints every registered resource with
// its inputs, the outputs, and where the package and the Pulumi SDK were loaded from.
"use strict";

const pulumi = require("@pulumi/pulumi");
const { installMocks, plain, report, fail } = require("./consumer-mocks");

const resources = installMocks();
// Required only after the mocks are in place, exactly as a consumer's unit test would.
const modelapi = require("modelapi");

async function main() {
    const [, , modelDir] = process.argv;
    const api = new modelapi.ModelApi("consumer", {
        models: [{ name: "demo", path: modelDir }],
        tags: { team: "consumers" },
    });
    const outputs = {};
    for (const key of ["url", "endpointName", "apiKey", "imageUri", "modelDataUrl", "functionName", "bucketName"]) {
        outputs[key] = api[key] === undefined ? "<missing>" : await plain(api[key]);
    }
    await pulumi.runtime.disconnect();
    report("GRAPH", {
        cwd: process.cwd(),
        modelapiEntry: require.resolve("modelapi"),
        pulumiFromConsumer: require.resolve("@pulumi/pulumi"),
        pulumiFromPackage: require.resolve("@pulumi/pulumi", { paths: [require.resolve("modelapi")] }),
        exports: Object.keys(modelapi).sort(),
        deepImport: (() => {
            try {
                require("modelapi/dist/components/model-api");
                return "loaded";
            } catch (err) {
                return err.code;
            }
        })(),
        outputs,
        resources: await plain(resources),
    });
}

main().catch(fail);
