// The consumer side of test/packaging/consumer.test.ts, copied into a throwaway project outside the
// repository and run there with plain `node`: it installs Pulumi mocks, builds a ModelApi from the
// installed `modelapi` package and prints every registered resource with its inputs as one JSON line.
// Plain JavaScript on purpose: nothing here may depend on the repository's ts-node or tsconfig.
"use strict";

const pulumi = require("@pulumi/pulumi");

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const resources = [];

pulumi.runtime.setMocks(
    {
        newResource(args) {
            resources.push({ type: args.type, name: args.name, inputs: args.inputs });
            const name = args.inputs.name ?? `${args.name}-physical`;
            const arn = `arn:aws:mock:${REGION}:${ACCOUNT}:${args.type.replace(/[^a-zA-Z0-9]/g, "-")}/${name}`;
            return {
                id: `${args.name}-id`,
                state: {
                    ...args.inputs,
                    name,
                    arn,
                    bucket: args.inputs.bucket ?? name,
                    repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
                    registryId: ACCOUNT,
                    ref: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}@sha256:${"0".repeat(64)}`,
                    digest: `sha256:${"0".repeat(64)}`,
                    invokeArn: `${arn}/invocations`,
                    executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${args.name}`,
                    rootResourceId: `${args.name}-root`,
                    invokeUrl: `https://${args.name}.execute-api.${REGION}.amazonaws.com/${args.inputs.stageName ?? "v1"}`,
                    value: `${args.name}-secret-value`,
                },
            };
        },
        call(args) {
            return {
                accountId: ACCOUNT,
                arn: `arn:aws:iam::${ACCOUNT}:user/consumer`,
                userId: "consumer",
                id: REGION,
                name: REGION,
                region: REGION,
                partition: "aws",
                dnsSuffix: "amazonaws.com",
                proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
                userName: "AWS",
                password: "mock-registry-password",
                json: JSON.stringify(args.inputs),
                ...args.inputs,
            };
        },
    },
    "consumer",
    "test",
    false,
    "consumer-org",
);

// Required only after the mocks are in place, exactly as a consumer's unit test would.
const modelapi = require("modelapi");

/** Resolves promises, outputs, assets and archives into plain JSON. */
async function plain(value) {
    value = await value;
    if (value === null || value === undefined) return value ?? null;
    if (pulumi.Output.isInstance(value)) return plain(value.promise());
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
        const out = { __kind: value.constructor.name };
        for (const key of ["path", "text", "uri", "assets"]) {
            if (value[key] !== undefined) out[key] = await plain(value[key]);
        }
        return out;
    }
    if (Array.isArray(value)) return Promise.all(value.map(plain));
    if (typeof value === "object") {
        const out = {};
        for (const [k, v] of Object.entries(value)) out[k] = await plain(v);
        return out;
    }
    return value;
}

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
    const graph = await plain(resources);
    process.stdout.write(
        `GRAPH ${JSON.stringify({
            cwd: process.cwd(),
            modelapiEntry: require.resolve("modelapi"),
            pulumiFromConsumer: require.resolve("@pulumi/pulumi"),
            pulumiFromPackage: require.resolve("@pulumi/pulumi", { paths: [require.resolve("modelapi")] }),
            exports: Object.keys(modelapi).sort(),
            outputs,
            resources: graph,
        })}\n`,
    );
}

main().catch((err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});
