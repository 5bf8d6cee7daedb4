// Shared by the consumer programs of test/packaging/consumer.test.ts, which run in a throwaway project
// outside the repository with plain `node`: Pulumi mocks that record every resource, and a helper that
// turns outputs, promises, assets and archives into plain JSON.
"use strict";

const pulumi = require("@pulumi/pulumi");

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** Installs the mocks; returns the list every registered resource is pushed to. */
function installMocks() {
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
                // Cloud Control's read of a SageMaker endpoint: it runs the config it was given.
                const endpoint = resources.find(
                    (r) => r.type === "aws:sagemaker/endpoint:Endpoint" && args.inputs.identifier?.endsWith(`/${r.inputs.name}`),
                );
                const properties = endpoint ? JSON.stringify({ EndpointConfigName: endpoint.inputs.endpointConfigName }) : undefined;
                return {
                    properties,
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
    return resources;
}

/** Resolves promises, outputs, assets and archives into plain JSON. */
async function plain(value) {
    value = await value;
    if (value === null || value === undefined) return null;
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

/** Prints one `<tag> <json>` line for the test to find among whatever else was printed. */
function report(tag, data) {
    process.stdout.write(`${tag} ${JSON.stringify(data)}\n`);
}

function fail(err) {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
}

module.exports = { installMocks, plain, report, fail };
