/**
 * The local twin end to end through the built serving image: gateway → the real Lambda handler → the
 * AWS SDK → the local runtime → the image run as SageMaker runs it. Run by container/test-image.sh
 * (not by plain mocha: it needs the image that script builds), which sets MODELAPI_TEST_IMAGE (the
 * name `npm run image` gives it) and MODELAPI_TEST_ENGINE (docker or podman).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type FittedModel, fitModel, fromNpy, post, type ReadyLine, toNpy, TwinProcess } from "../local/support";

const IMAGE = process.env.MODELAPI_TEST_IMAGE ?? "";
const ENGINE = process.env.MODELAPI_TEST_ENGINE ?? "";
const KEY = "image-test-key-0123456789";
const csv = (rows: number[][]) => rows.map((r) => r.join(",")).join("\n") + "\n";

function engine(...args: string[]): string {
    const result = spawnSync(ENGINE, args, { encoding: "utf8", timeout: 60_000 });
    assert.equal(result.status, 0, `${ENGINE} ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
}

/** Names of the twin's containers this engine still knows, running or not. */
function twinContainers(): string[] {
    return engine("ps", "-a", "--format", "{{.Names}}")
        .split("\n")
        .filter((n) => n.startsWith("modelapi-local-"));
}

/** Waits (bounded) until `condition` holds. */
async function until(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s:\n${describe()}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** Stops the twin with SIGINT and checks it exits 0 leaving no container behind. */
async function interruptAndCheck(twin: TwinProcess): Promise<void> {
    assert.equal(twinContainers().length, 1, `one container should be running:\n${twin.output()}`);
    twin.child.kill("SIGINT");
    const { code } = await twin.exit(60_000);
    assert.equal(code, 0, twin.output());
    assert.match(twin.stdout, /nothing is left running/);
    assert.deepEqual(twinContainers(), [], "a container was left behind");
}

describe("local twin through the serving image", function () {
    this.timeout(300_000);
    let tmp: string;
    let iris: FittedModel;
    let reversed: FittedModel;

    before(() => {
        assert.ok(IMAGE && ENGINE, "MODELAPI_TEST_IMAGE and MODELAPI_TEST_ENGINE must be set (container/test-image.sh sets them)");
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-image-e2e-"));
        iris = fitModel(path.join(tmp, "iris"));
        reversed = fitModel(path.join(tmp, "reversed"), "reversed");
        assert.notDeepEqual(iris.predictions, reversed.predictions, "the two test models must disagree for the tests to mean anything");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("--image without a value", () => {
        let twin: TwinProcess | undefined;
        afterEach(async () => twin?.kill());

        it("Ctrl-C during the build stops it, exits 0 and leaves no half-made container", async () => {
            engine(ENGINE === "docker" ? "rmi" : "untag", IMAGE);
            const started = new TwinProcess(["--port", "0", "--api-key", KEY, "--image", iris.dir]);
            twin = started;
            await until(
                () => /\[image\] STEP 2/.test(started.stderr),
                120_000,
                () => started.output(),
            );
            started.child.kill("SIGINT");
            const { code } = await started.exit(60_000);
            assert.equal(code, 0, started.output());
            assert.match(started.stdout, /nothing is left running/);
            if (ENGINE === "podman") {
                assert.match(started.stderr, /build stopped; its working containers are removed/, started.output());
                assert.equal(
                    spawnSync("buildah", ["containers", "-q"], { encoding: "utf8" }).stdout.trim(),
                    "",
                    "buildah working containers were left behind",
                );
            }
            assert.deepEqual(twinContainers(), []);
        });

        it("builds the image when it is missing, showing progress, and serves from it", async () => {
            assert.equal(
                spawnSync(ENGINE, ["image", "inspect", IMAGE], { stdio: "ignore" }).status !== 0,
                true,
                "the image should be missing here",
            );
            twin = new TwinProcess(["--port", "0", "--api-key", KEY, "--image", iris.dir]);
            const ready = await twin.ready(600_000);
            assert.match(twin.stderr, new RegExp(`\\[image\\] building ${IMAGE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), twin.output());
            assert.ok(twin.stdout.includes(`using image ${IMAGE}`), twin.output());
            const res = await post(`${ready.url}/predict`, JSON.stringify({ instances: iris.rows }), {
                "x-api-key": KEY,
                "Content-Type": "application/json",
            });
            assert.equal(res.status, 200, res.text);
            assert.deepEqual(JSON.parse(res.text).predictions, iris.predictions);
            await interruptAndCheck(twin);
        });
    });

    describe("one model, the image reused", () => {
        let twin: TwinProcess;
        let ready: ReadyLine;
        const predict = (body: string | Buffer, headers: Record<string, string> = {}) =>
            post(`${ready.url}/predict`, body, { "x-api-key": KEY, "Content-Type": "application/json", ...headers });

        before(async () => {
            twin = new TwinProcess(["--port", "0", "--api-key", KEY, "--image", iris.dir]);
            ready = await twin.ready(180_000);
        });
        after(async () => twin?.kill());

        it("runs the image already built, without building it again", () => {
            assert.ok(twin.stdout.includes(`using image ${IMAGE}`), twin.output());
            assert.match(twin.stderr, /is built already/, twin.output());
            assert.doesNotMatch(twin.stderr, /\[image\] building/, twin.output());
        });

        it("answers JSON with the fitted model's own predictions", async () => {
            const res = await predict(JSON.stringify({ instances: iris.rows }));
            assert.equal(res.status, 200, res.text);
            assert.deepEqual(JSON.parse(res.text).predictions, iris.predictions);
        });

        it("answers CSV as CSV", async () => {
            const res = await predict(csv(iris.rows), { "Content-Type": "text/csv", Accept: "text/csv" });
            assert.equal(res.status, 200, res.text);
            assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
            assert.deepEqual(res.text.trim().split("\n").map(Number), iris.predictions);
        });

        it("answers NumPy .npy as .npy, bytes intact both ways", async () => {
            const res = await fetch(`${ready.url}/predict`, {
                method: "POST",
                headers: { "x-api-key": KEY, "Content-Type": "application/x-npy", Accept: "application/x-npy" },
                body: toNpy(iris.rows),
            });
            assert.equal(res.status, 200);
            assert.equal(res.headers.get("content-type"), "application/x-npy");
            assert.deepEqual(fromNpy(Buffer.from(await res.arrayBuffer())), iris.predictions);
        });

        it("passes the model's own 4xx through with the JSON error shape", async () => {
            const res = await predict(JSON.stringify({ instances: [[1, 2]] }));
            assert.equal(res.status, 400, res.text);
            const body = JSON.parse(res.text) as { error?: { code: string; message: string } };
            assert.ok(body.error, res.text);
            assert.match(body.error.message, /expected 4 features per row, got 2/, res.text);
        });

        it("on SIGINT exits 0 and leaves no container behind", async () => {
            await interruptAndCheck(twin);
        });
    });

    describe("several models on one multi-model endpoint", () => {
        let twin: TwinProcess;
        let ready: ReadyLine;
        const predict = (name: string, body: string) =>
            post(`${ready.url}/models/${name}/predict`, body, { "x-api-key": KEY, "Content-Type": "application/json" });

        before(async () => {
            twin = new TwinProcess([
                "--multi-model",
                "--port",
                "0",
                "--api-key",
                KEY,
                "--image",
                `iris=${iris.dir}`,
                `reversed=${reversed.dir}`,
            ]);
            ready = await twin.ready(180_000);
        });
        after(async () => twin?.kill());

        it("each model answers with its own predictions, loaded from its archive inside the image", async () => {
            const a = await predict("iris", JSON.stringify({ instances: iris.rows }));
            const b = await predict("reversed", JSON.stringify({ instances: reversed.rows }));
            assert.equal(a.status, 200, a.text);
            assert.equal(b.status, 200, b.text);
            assert.deepEqual(JSON.parse(a.text).predictions, iris.predictions);
            assert.deepEqual(JSON.parse(b.text).predictions, reversed.predictions);
        });

        it("lists its models", async () => {
            const res = await fetch(`${ready.url}/models`, { headers: { "x-api-key": KEY } });
            assert.equal(res.status, 200);
            assert.deepEqual(((await res.json()) as { models: string[] }).models, ["iris", "reversed"]);
        });

        it("on SIGINT exits 0 and leaves no container behind", async () => {
            await interruptAndCheck(twin);
        });
    });
});
