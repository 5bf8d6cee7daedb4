/**
 * The Lambda bundle: deterministic, small, self-contained, and found the same way from sources
 * and from an installed package.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageRoot } from "../../core/package-root";
import { buildLambdaBundle, chooseBundleDir, resolveLambdaBundle } from "../../lambda/bundle";
import type { Handler } from "./support";
import { apiEvent, EnvScope, run, runtimeEnv } from "./support";
import { SageMakerRuntimeServer } from "./sagemaker-runtime-server";

const MAX_BUNDLE_BYTES = 500 * 1024;

describe("lambda bundle", function () {
    let scratch: string;
    let bundleA: string;

    before(function () {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-bundle-"));
        bundleA = buildLambdaBundle(path.join(scratch, "a"));
    });

    after(function () {
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("building twice gives byte-identical index.js", function () {
        const bundleB = buildLambdaBundle(path.join(scratch, "b"));

        assert.ok(path.isAbsolute(bundleA));
        assert.equal(path.basename(bundleA), "index.js");
        assert.notEqual(bundleA, bundleB);
        assert.ok(fs.statSync(bundleA).size > 0);
        assert.ok(fs.readFileSync(bundleA).equals(fs.readFileSync(bundleB)));
    });

    it("leaves nothing but index.js in its directory, which ships whole as the Lambda's code", function () {
        buildLambdaBundle(path.join(scratch, "a"));
        assert.deepEqual(fs.readdirSync(path.join(scratch, "a")), ["index.js"]);
    });

    it("is at most 500 KB", function () {
        const size = fs.statSync(bundleA).size;
        assert.ok(size <= MAX_BUNDLE_BYTES, `${size} bytes`);
    });

    it("carries its own AWS SDK: it loads and builds its client with nothing but Node built-ins", function () {
        // A child process where resolving any non-built-in module fails, as if no SDK were installed.
        const probe = `
            const Module = require("node:module");
            const resolve = Module._resolveFilename;
            Module._resolveFilename = function (request, ...rest) {
                if (!Module.isBuiltin(request) && !request.startsWith("/")) throw new Error("resolved " + request);
                return resolve.call(this, request, ...rest);
            };
            const bundle = require(process.argv[1]);
            bundle.getClient();
            process.stdout.write(typeof bundle.handler);
        `;
        const out = execFileSync(process.execPath, ["-e", probe, bundleA], {
            cwd: scratch,
            env: { PATH: process.env.PATH, AWS_REGION: "us-east-1" },
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        assert.equal(out, "function");
    });

    it("holds no sourcemap, no absolute build path and no legal comment blocks", function () {
        const code = fs.readFileSync(bundleA, "utf8");
        assert.doesNotMatch(code, /sourceMappingURL/);
        assert.ok(!code.includes(packageRoot()), "no absolute path of the build machine");
        assert.doesNotMatch(code, /\/\*!|@license/);
    });

    describe("index.handler", function () {
        const server = new SageMakerRuntimeServer();
        const env = new EnvScope();
        let bundled: Handler;

        before(async function () {
            env.set({
                ...runtimeEnv(await server.start()),
                ENDPOINT_NAME: "bundled-endpoint",
                MODEL_NAMES: "iris",
                ENDPOINT_KIND: undefined,
            });
            bundled = require(bundleA).handler;
        });

        after(async function () {
            env.restore();
            await server.stop();
        });

        it("is exported by the bundle and invokes the endpoint like the sources do", async function () {
            assert.equal(typeof bundled, "function");
            const { res, logs } = await run(bundled, apiEvent({ path: "/models/iris/predict", body: "[[1,2,3,4]]" }));

            assert.equal(res.statusCode, 200);
            assert.equal(server.calls.length, 1);
            assert.equal(server.calls[0].endpointName, "bundled-endpoint");
            assert.equal(server.calls[0].headers["x-amzn-sagemaker-target-model"], "iris.tar.gz");
            assert.equal(JSON.parse(logs[0]).status, 200);
        });
    });

    describe("resolveLambdaBundle", function () {
        it("from the sources builds into <package root>/dist/lambda-bundle", function () {
            const dir = resolveLambdaBundle();

            assert.equal(dir, path.join(packageRoot(), "dist", "lambda-bundle"));
            assert.ok(fs.readFileSync(path.join(dir, "index.js")).equals(fs.readFileSync(bundleA)));
        });

        it("in an installed package (no sources beside it) uses the prebuilt index.js without building", function () {
            const root = path.join(scratch, "installed");
            fs.mkdirSync(path.join(root, "dist", "lambda-bundle"), { recursive: true });
            fs.writeFileSync(path.join(root, "dist", "lambda-bundle", "index.js"), "exports.handler = 1;");
            let built = false;
            const dir = chooseBundleDir({
                sourceDir: path.join(root, "dist", "lambda"),
                root,
                build: () => {
                    built = true;
                    return "";
                },
            });

            assert.equal(dir, path.join(root, "dist", "lambda-bundle"));
            assert.equal(built, false);
        });

        it("with neither sources nor a prebuilt bundle throws an error that says how to get one", function () {
            const root = path.join(scratch, "empty");
            fs.mkdirSync(root, { recursive: true });

            assert.throws(
                () => chooseBundleDir({ sourceDir: path.join(root, "dist", "lambda"), root, build: () => "" }),
                /No Lambda bundle: .*dist\/lambda-bundle\/index\.js does not exist .*npm run build/,
            );
        });
    });
});
