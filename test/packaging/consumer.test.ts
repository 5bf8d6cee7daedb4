/**
 * The package as another repository gets it: `npm pack` of a clean snapshot of this repository, the
 * tarball installed into a fresh Pulumi TypeScript project under the system temp directory, and a
 * ModelApi built there under mocks by a plain-node program whose working directory is unrelated to
 * both. Every file the component ships to AWS (the Lambda bundle, the image build context) must come
 * from the installed package, and the tarball must carry those and nothing of the repository's
 * development material.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { REGENERATE, expectedSchema, summarizeSchema } from "./schema-summary";
import {
    PACKAGE_NAME,
    PackResult,
    REPO_ROOT,
    STALE_BUILD_OUTPUT,
    analyzeRepository,
    cleanEnv,
    hostPlugin,
    lockedVersions,
    makeTemp,
    packOnce,
    removeTemp,
    repoManifest,
    run,
} from "./support";

interface Recorded {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

interface Graph {
    cwd: string;
    modelapiEntry: string;
    pulumiFromConsumer: string;
    pulumiFromPackage: string;
    exports: string[];
    deepImport: string;
    outputs: Record<string, unknown>;
    resources: Recorded[];
}

/** Every absolute path that appears anywhere in a value (strings that start with "/"). */
function absolutePaths(value: unknown, found: string[] = []): string[] {
    if (typeof value === "string") {
        if (path.isAbsolute(value)) found.push(value);
    } else if (Array.isArray(value)) {
        value.forEach((v) => absolutePaths(v, found));
    } else if (value && typeof value === "object") {
        Object.values(value).forEach((v) => absolutePaths(v, found));
    }
    return found;
}

/** The build-context sources of the Dockerfile's COPY/ADD instructions (not those copied from other stages). */
function dockerfileSources(dockerfile: string): string[] {
    const sources: string[] = [];
    for (const line of dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/)) {
        const m = /^\s*(?:COPY|ADD)\s+(.*)$/i.exec(line);
        if (!m || /--from=/.test(m[1])) continue;
        const rest = m[1].trim();
        const words: string[] = rest.startsWith("[") ? JSON.parse(rest) : rest.split(/\s+/);
        const operands = words.filter((w) => !w.startsWith("--"));
        sources.push(...operands.slice(0, -1)); // the last operand is the destination
    }
    return sources;
}

describe("packaging: the npm package installed into another project", function () {
    // npm pack (tsc + esbuild) and npm install from the cache: about a minute on a warm machine.
    this.timeout(420_000);

    let pack: PackResult;
    let consumerDir: string;
    let elsewhere: string;
    let installedRoot: string;
    let graph: Graph;

    before(async function () {
        pack = await packOnce();

        consumerDir = makeTemp("modelapi-consumer");
        elsewhere = makeTemp("modelapi-elsewhere");
        const pins = lockedVersions();
        fs.writeFileSync(
            path.join(consumerDir, "package.json"),
            JSON.stringify({ name: "modelapi-consumer", version: "1.0.0", private: true, main: "index.js" }, null, 2),
        );
        fs.writeFileSync(
            path.join(consumerDir, "Pulumi.yaml"),
            "name: modelapi-consumer\nruntime: nodejs\ndescription: A stack that serves a model with the installed ModelApi package.\n",
        );
        await run(
            "npm",
            [
                "install",
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                "--loglevel=error",
                pack.tarball,
                // The peer dependency, and the AWS provider at the version this repository tests with,
                // so a new release elsewhere cannot change what this test proves.
                `@pulumi/pulumi@${pins["@pulumi/pulumi"]}`,
                `@pulumi/aws@${pins["@pulumi/aws"]}`,
                // What `pulumi new typescript` gives a project; Pulumi's plugin host uses it too.
                `typescript@${repoManifest().devDependencies.typescript}`,
                `@types/node@${repoManifest().devDependencies["@types/node"]}`,
            ],
            { cwd: consumerDir, timeoutMs: 300_000 },
        );
        installedRoot = path.join(consumerDir, "node_modules", PACKAGE_NAME);

        // A model directory in the consumer's project: one file is enough for packing and uploading.
        const modelDir = path.join(consumerDir, "models", "demo");
        fs.mkdirSync(modelDir, { recursive: true });
        fs.writeFileSync(path.join(modelDir, "model.joblib"), "not really a model, but bytes to pack\n");

        const program = path.join(consumerDir, "index.js");
        fs.copyFileSync(path.join(__dirname, "consumer-program.js"), program);
        fs.copyFileSync(path.join(__dirname, "consumer-mocks.js"), path.join(consumerDir, "consumer-mocks.js"));
        fs.copyFileSync(path.join(__dirname, "construct-program.js"), path.join(consumerDir, "construct.js"));
        fs.copyFileSync(path.join(__dirname, "consumer-typecheck.ts.txt"), path.join(consumerDir, "typecheck.ts"));
        // cwd is a directory that is neither the repository, nor the consumer project, nor the package.
        const result = await run("node", [program, modelDir], { cwd: elsewhere, timeoutMs: 120_000, env: cleanEnv() });
        const line = result.stdout.split("\n").find((l) => l.startsWith("GRAPH "));
        assert.ok(line, `the consumer program printed no graph\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
        graph = JSON.parse(line.slice("GRAPH ".length));
    });

    after(function () {
        removeTemp(consumerDir);
        removeTemp(elsewhere);
        if (pack) removeTemp(pack.workDir);
    });

    const ofType = (pattern: RegExp) => graph.resources.filter((r) => pattern.test(r.type));
    const one = (pattern: RegExp): Recorded => {
        const found = ofType(pattern);
        assert.equal(found.length, 1, `expected one ${pattern}, found ${found.map((r) => `${r.type} ${r.name}`).join(", ") || "none"}`);
        return found[0];
    };

    describe("the tarball", function () {
        const has = (rel: string) => pack.files.some((f) => f.path === rel);

        it("carries the compiled entry point, the component and their type declarations", function () {
            for (const rel of [
                "package.json",
                "dist/index.js",
                "dist/index.d.ts",
                "dist/components/index.js",
                "dist/components/index.d.ts",
                // plain JavaScript the archive writer starts as its worker, which tsc does not emit
                "dist/core/archive/archive-worker.js",
            ]) {
                assert.ok(has(rel), `${rel} missing from the tarball`);
            }
        });

        it("is built afresh: nothing left in dist/ from an earlier build", function () {
            assert.ok(!has(`dist/components/${STALE_BUILD_OUTPUT}`), "prepack packed a stale build output");
        });

        it("points main, types and exports at files it carries", function () {
            const manifest = JSON.parse(fs.readFileSync(path.join(installedRoot, "package.json"), "utf8"));
            for (const rel of [manifest.main, manifest.types, manifest.exports["."].default, manifest.exports["."].types]) {
                assert.ok(has(path.normalize(rel)), `package.json names ${rel}, which is not in the tarball`);
            }
        });

        it("carries the prebuilt Lambda bundle", function () {
            assert.ok(has("dist/lambda-bundle/index.js"), "dist/lambda-bundle/index.js missing");
        });

        it("carries the image build context and every file its Dockerfile copies", function () {
            assert.ok(has("container/Dockerfile"), "container/Dockerfile missing");
            assert.ok(has("container/serve"), "container/serve missing");
            assert.ok(
                pack.files.some((f) => f.path.startsWith("container/modelapi_serving/") && f.path.endsWith(".py")),
                "the Python server package is missing",
            );
            const dockerfile = fs.readFileSync(path.join(installedRoot, "container", "Dockerfile"), "utf8");
            const sources = dockerfileSources(dockerfile);
            assert.ok(sources.length > 0, "the Dockerfile copies nothing from its context");
            for (const source of sources) {
                const prefix = path.posix.normalize(`container/${source}`).replace(/\/$/, "");
                assert.ok(
                    pack.files.some((f) => f.path === prefix || f.path.startsWith(`${prefix}/`)),
                    `the Dockerfile copies ${source}, which is not in the packed build context`,
                );
            }
        });

        it("keeps the serve entrypoint executable", function () {
            const mode = fs.statSync(path.join(installedRoot, "container", "serve")).mode;
            assert.ok(mode & 0o100, `container/serve has mode ${(mode & 0o777).toString(8)}`);
        });

        it("carries PulumiPlugin.yaml with the nodejs runtime", function () {
            assert.ok(has("PulumiPlugin.yaml"), "PulumiPlugin.yaml missing");
            assert.match(fs.readFileSync(path.join(installedRoot, "PulumiPlugin.yaml"), "utf8"), /^runtime:\s*nodejs\s*$/m);
        });

        it("carries the README when the repository has one", function () {
            assert.equal(has("README.md"), fs.existsSync(path.join(REPO_ROOT, "README.md")));
        });

        it("carries no tests, benchmarks, models, CI, stacks, local twin, scripts or caches", function () {
            const unwanted = [
                /(^|\/)tests?\//,
                /\.test\.(ts|js|d\.ts)$/,
                /(^|\/)bench\//,
                /^\.ci\//,
                /^models?\//,
                /^stacks\//,
                /(^|\/)local\//,
                /^scripts\//,
                /__pycache__|\.pyc$|\.pytest_cache/,
                /\.(tar\.gz|tgz|joblib|pkl)$/,
                /(^|\/)node_modules\//,
                /\.tsbuildinfo$|\.map$/,
                /^Pulumi(\.[^.]+)?\.yaml$/,
            ];
            const offenders = pack.files.map((f) => f.path).filter((p) => unwanted.some((re) => re.test(p)));
            assert.deepEqual(offenders, []);
        });

        it("requires at run time, and names in its declarations, only Node built-ins and its declared dependencies", function () {
            const manifest = JSON.parse(fs.readFileSync(path.join(installedRoot, "package.json"), "utf8"));
            const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
            const builtins = new Set(require("module").builtinModules as string[]);
            const undeclared: string[] = [];
            const seen = new Set<string>();
            for (const file of pack.files.map((f) => f.path)) {
                // The Lambda bundle is self-contained by construction (its own test checks that).
                if (!/^dist\/.*\.(js|d\.ts)$/.test(file) || file.startsWith("dist/lambda-bundle/")) continue;
                const text = fs
                    .readFileSync(path.join(installedRoot, file), "utf8")
                    .replace(/\/\*[\s\S]*?\*\//g, "") // doc comments quote example imports
                    .replace(/^\s*\/\/.*$/gm, "");
                for (const m of text.matchAll(/(?:require\(|from\s+|import\()\s*["']([^"'.][^"']*)["']/g)) {
                    const spec = m[1].replace(/^node:/, "");
                    const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                    seen.add(pkg);
                    if (!builtins.has(pkg) && !declared.has(pkg)) undeclared.push(`${file}: ${m[1]}`);
                }
            }
            assert.deepEqual(undeclared, []);
            for (const pkg of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/docker-build"]) {
                assert.ok(seen.has(pkg), `the scan found no use of ${pkg}; is it scanning the compiled files?`);
            }
        });

        it("stays small", function () {
            assert.ok(pack.size < 5 * 1024 * 1024, `tarball is ${pack.size} bytes`);
            assert.ok(pack.unpackedSize < 15 * 1024 * 1024, `unpacked size is ${pack.unpackedSize} bytes`);
        });
    });

    describe("installed and used from a project outside the repository", function () {
        it("resolves the package from the consumer's node_modules and shares one Pulumi SDK with it", function () {
            assert.equal(graph.modelapiEntry, path.join(installedRoot, "dist", "index.js"));
            assert.equal(graph.pulumiFromPackage, graph.pulumiFromConsumer, "modelapi got its own copy of @pulumi/pulumi");
            assert.ok(graph.pulumiFromConsumer.startsWith(path.join(consumerDir, "node_modules")));
            assert.equal(graph.cwd, fs.realpathSync(elsewhere));
        });

        it("keeps its internals private: deep imports are refused", function () {
            assert.equal(graph.deepImport, "ERR_PACKAGE_PATH_NOT_EXPORTED");
        });

        it("exports ModelApi and the ApiAuth choices", function () {
            assert.ok(graph.exports.includes("ModelApi"), `exports: ${graph.exports.join(", ")}`);
            assert.ok(graph.exports.includes("ApiAuth"), `exports: ${graph.exports.join(", ")}`);
        });

        it("registers the component under its schema token", function () {
            const component = one(/^modelapi:index:ModelApi$/);
            assert.equal(component.name, "consumer");
        });

        it("builds the whole graph: image, artifacts, SageMaker, Lambda and an API-key-protected REST API", function () {
            const expected: [string, RegExp][] = [
                ["ECR repository", /^aws:ecr\/repository:Repository$/],
                ["image build", /^docker-build:index:Image$/],
                ["bucket", /^aws:s3\/(bucket|bucketV2):Bucket(V2)?$/],
                ["model archive object", /^aws:s3\/bucketObject(v2)?:BucketObject(v2)?$/],
                ["SageMaker model", /^aws:sagemaker\/model:Model$/],
                ["SageMaker endpoint config", /^aws:sagemaker\/endpointConfiguration:EndpointConfiguration$/],
                ["SageMaker endpoint", /^aws:sagemaker\/endpoint:Endpoint$/],
                ["Lambda function", /^aws:lambda\/function:Function$/],
                ["Lambda permission for API Gateway", /^aws:lambda\/permission:Permission$/],
                ["REST API", /^aws:apigateway\/restApi:RestApi$/],
                ["deployment", /^aws:apigateway\/deployment:Deployment$/],
                ["stage", /^aws:apigateway\/stage:Stage$/],
                ["API key", /^aws:apigateway\/apiKey:ApiKey$/],
                ["usage plan", /^aws:apigateway\/usagePlan:UsagePlan$/],
                ["usage plan key", /^aws:apigateway\/usagePlanKey:UsagePlanKey$/],
                ["IAM role", /^aws:iam\/role:Role$/],
            ];
            const missing = expected.filter(([, re]) => ofType(re).length === 0).map(([what]) => what);
            assert.deepEqual(missing, [], `types seen: ${[...new Set(graph.resources.map((r) => r.type))].sort().join(", ")}`);
        });

        it("resolves every output", function () {
            for (const [key, value] of Object.entries(graph.outputs)) {
                assert.ok(
                    typeof value === "string" && value !== "<missing>" && value.length > 0,
                    `output ${key} is ${JSON.stringify(value)}`,
                );
            }
        });

        it("ships the Lambda code from the bundle inside the installed package", function () {
            const fn = one(/^aws:lambda\/function:Function$/);
            const paths = absolutePaths(fn.inputs.code);
            assert.ok(paths.length > 0, `no file path in the function's code: ${JSON.stringify(fn.inputs.code)}`);
            for (const p of paths) {
                assert.ok(p.startsWith(`${installedRoot}${path.sep}`), `Lambda code from ${p}, outside ${installedRoot}`);
                assert.ok(fs.existsSync(p), `Lambda code path ${p} does not exist`);
            }
            const bundle = path.join(installedRoot, "dist", "lambda-bundle", "index.js");
            const named = paths.some((p) => p === bundle || p === path.dirname(bundle));
            assert.ok(named, `the code archive does not name ${bundle}: ${paths.join(", ")}`);
        });

        it("builds the image from the container/ context inside the installed package", function () {
            const image = one(/^docker-build:index:Image$/);
            const paths = absolutePaths(image.inputs.context);
            assert.ok(paths.length > 0, `no path in the image's context: ${JSON.stringify(image.inputs.context)}`);
            const contextDir = path.join(installedRoot, "container");
            for (const p of paths) {
                assert.ok(p === contextDir || p.startsWith(`${contextDir}${path.sep}`), `image context ${p} is not ${contextDir}`);
                assert.ok(fs.existsSync(p), `image context ${p} does not exist`);
            }
            assert.ok(fs.existsSync(path.join(contextDir, "Dockerfile")), `no Dockerfile in ${contextDir}`);
            for (const p of absolutePaths(image.inputs.dockerfile)) {
                assert.ok(p.startsWith(`${contextDir}${path.sep}`) && fs.existsSync(p), `Dockerfile ${p} is not the packaged one`);
            }
        });

        it("refers to no file of the source repository, the packed sources or the working directory", function () {
            const roots = [REPO_ROOT, path.join(pack.workDir, "src"), elsewhere, fs.realpathSync(elsewhere)];
            const leaks = absolutePaths(graph.resources).filter((p) =>
                roots.some((root) => p === root || p.startsWith(`${root}${path.sep}`)),
            );
            assert.deepEqual(leaks, []);
        });
    });

    describe("compiled against the shipped declarations", function () {
        // Both ways TypeScript finds a package's types: `types` (node10) and `exports` conditions (nodenext).
        for (const resolution of ["node10", "nodenext"]) {
            it(`type-checks a program using ModelApi, and rejects wrong arguments (moduleResolution ${resolution})`, async function () {
                const module = resolution === "node10" ? "commonjs" : "nodenext";
                const tsc = path.join(consumerDir, "node_modules", "typescript", "bin", "tsc");
                const result = await run(
                    "node",
                    [
                        tsc,
                        "--noEmit",
                        "--strict",
                        "--target",
                        "es2022",
                        "--module",
                        module,
                        "--moduleResolution",
                        resolution,
                        "--types",
                        "node",
                        "typecheck.ts",
                    ],
                    { cwd: consumerDir, timeoutMs: 120_000, allowFailure: true },
                );
                assert.equal(result.code, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
            });
        }
    });

    describe("constructed by the plugin's component provider, as for a Python program", function () {
        let constructed: {
            urn: string;
            state: Record<string, unknown>;
            schemaOutputs: string[];
            types: string[];
            refused?: {
                inputPropertiesError: boolean;
                name: string;
                errors: { propertyPath: string; reason: string }[];
                registered: number;
            };
        };

        before(async function () {
            const modelDir = path.join(consumerDir, "models", "demo");
            const result = await run("node", [path.join(consumerDir, "construct.js"), modelDir], { cwd: elsewhere, timeoutMs: 180_000 });
            const line = result.stdout.split("\n").find((l) => l.startsWith("CONSTRUCT "));
            assert.ok(line, `the construct program printed nothing\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
            constructed = JSON.parse(line.slice("CONSTRUCT ".length));
        });

        it("builds ModelApi from schema-named inputs with an enum value for api.auth", function () {
            assert.match(constructed.urn, /::modelapi:index:ModelApi::from-python$/);
            assert.ok(constructed.types.includes("aws:sagemaker/endpoint:Endpoint"), `types: ${constructed.types.join(", ")}`);
            assert.ok(!constructed.types.includes("aws:apigateway/apiKey:ApiKey"), "auth iam must not create an API key");
        });

        it("refuses impossible inputs with Pulumi's InputPropertiesError, each property with its reason, creating nothing", function () {
            assert.deepEqual(constructed.refused, {
                inputPropertiesError: true,
                name: "ArgumentError",
                errors: [
                    {
                        propertyPath: "api.auht",
                        reason:
                            "api.auht is not an argument of ModelApi; expected one of auth, stageName, accessLogs, logRetentionDays, " +
                            "throttle, quota, function, cors, docs; did you mean auth?",
                    },
                    { propertyPath: "endpoint.instanceCount", reason: "endpoint.instanceCount must be a positive integer; got 0" },
                ],
                registered: 0,
            });
        });

        it("returns exactly the schema's outputs as the resource's state", function () {
            assert.deepEqual(Object.keys(constructed.state).sort(), constructed.schemaOutputs);
            for (const key of ["url", "endpointName", "imageUri", "modelDataUrl", "functionName", "bucketName"]) {
                assert.ok(
                    typeof constructed.state[key] === "string" && (constructed.state[key] as string).length > 0,
                    `state.${key} is ${JSON.stringify(constructed.state[key])}`,
                );
            }
            assert.equal(constructed.state.apiKey, null, "no API key with auth iam");
        });
    });

    describe("the installed package as a source-based plugin package", function () {
        it("is served by Pulumi's plugin host with the same schema as the sources it was packed from", async function () {
            const hosted = await hostPlugin(installedRoot, { pwd: elsewhere, timeoutMs: 180_000 });
            assert.deepEqual(summarizeSchema(hosted.schema), expectedSchema(), `if the change is intended: ${REGENERATE}`);
            // The snapshot that was packed, not the live repository, which may have moved on since.
            const expected = JSON.parse(JSON.stringify(analyzeRepository(path.join(pack.workDir, "src")).schema));
            assert.deepEqual(Object.keys(hosted.schema.resources), Object.keys(expected.resources));
            assert.deepEqual(hosted.schema.resources, expected.resources);
            assert.deepEqual(hosted.schema.types, expected.types);
        });
    });
});
