/**
 * The local twin end to end, over HTTP only: `local/main.ts` started as `npm start` starts it, the
 * real Lambda handler, the real AWS SDK, the real container server and the real model archive.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { requestBodyLimits } from "../../contract";
import {
    alive,
    type FittedModel,
    fitModel,
    fromNpy,
    groupAlive,
    post,
    raisingModel,
    type ReadyLine,
    REPO_ROOT,
    slowModel,
    toNpy,
    TwinProcess,
    watchdogsFor,
} from "./support";

const KEY = "test-key-0123456789";
const csv = (rows: number[][]) => rows.map((r) => r.join(",")).join("\n") + "\n";

function errorShape(text: string): { code: string; message: string; requestId: string } {
    const body = JSON.parse(text) as { error?: { code: string; message: string; requestId: string } };
    assert.ok(body.error, `expected {"error": {...}}, got ${text}`);
    assert.equal(typeof body.error.code, "string");
    assert.equal(typeof body.error.message, "string");
    assert.match(body.error.requestId, /^[0-9a-f-]{36}$/);
    return body.error;
}

/** The fenced blocks of one language in a section (`## title`) of docs/local.md. */
function docBlocks(section: string, language: string): string[] {
    const text = fs.readFileSync(path.join(REPO_ROOT, "docs", "local.md"), "utf8");
    const start = text.indexOf(`\n## ${section}\n`);
    assert.ok(start >= 0, `docs/local.md has no section "${section}"`);
    const end = text.indexOf("\n## ", start + 1);
    const body = text.slice(start, end < 0 ? undefined : end);
    return [...body.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

/** An environment for AWS clients with nothing of this machine's AWS configuration, and Debian's tools first. */
function bareAwsEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `/usr/bin:/bin:${process.env.PATH}`, ...extra };
    for (const name of Object.keys(env)) if (name.startsWith("AWS_")) delete env[name];
    return { ...env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_PAGER: "" };
}

/** True once the server's process group and the twin's watchdog for it are gone, within a bound. */
async function waitGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (!groupAlive(pid) && watchdogsFor(pid).length === 0) return true;
        await new Promise((r) => setTimeout(r, 100));
    }
    return false;
}

describe("local twin end to end", function () {
    this.timeout(120_000);
    let tmp: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-e2e-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("one model", () => {
        let model: FittedModel;
        let twin: TwinProcess;
        let ready: ReadyLine;
        const predict = (body: string | Buffer, headers: Record<string, string> = {}) =>
            post(`${ready.url}/predict`, body, { "x-api-key": KEY, "Content-Type": "application/json", ...headers });

        before(async () => {
            model = fitModel(path.join(tmp, "iris"));
            twin = new TwinProcess(["--port", "0", "--api-key", KEY, model.dir]);
            ready = await twin.ready();
        });
        after(async () => twin?.kill(ready?.serverPid));

        it("prints the URL, the API key, a curl line, the runtime's URL, the endpoint name and its own pid before one ready line", () => {
            assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
            assert.equal(ready.apiKey, KEY);
            assert.equal(ready.pid, twin.child.pid);
            assert.match(ready.runtimeUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
            assert.notEqual(ready.runtimeUrl, ready.url);
            assert.equal(ready.endpointName, "modelapi-local");
            for (const line of [`Runtime:  ${ready.runtimeUrl} `, `Endpoint: ${ready.endpointName}`, `kill -INT ${ready.pid}`]) {
                assert.ok(twin.stdout.includes(line), `no "${line}" line:\n${twin.output()}`);
            }
            assert.equal(twin.stdout.match(/^ready /gm)?.length, 1);
            assert.ok(twin.stdout.includes(`curl -s -X POST ${ready.url}/predict -H 'x-api-key: ${KEY}'`), twin.output());
            for (const step of ["packing", "unpacking", "starting the model server", "/ping"]) {
                assert.ok(twin.stdout.includes(step), `no progress line about ${step}:\n${twin.output()}`);
            }
        });

        it("answers a JSON body with the fitted model's own predictions", async () => {
            const res = await predict(JSON.stringify({ instances: model.rows }));
            assert.equal(res.status, 200, res.text);
            assert.match(res.headers.get("content-type") ?? "", /application\/json/);
            assert.deepEqual(JSON.parse(res.text).predictions, model.predictions);
        });

        it("answers a CSV body with the same predictions, as CSV when asked", async () => {
            const asCsv = await predict(csv(model.rows), { "Content-Type": "text/csv", Accept: "text/csv" });
            assert.equal(asCsv.status, 200, asCsv.text);
            assert.deepEqual(asCsv.text.trim().split("\n").map(Number), model.predictions);
            const asJson = await predict(csv(model.rows), { "Content-Type": "text/csv" });
            assert.equal(asJson.status, 200, asJson.text);
            // CSV rows in, JSON out: the container answers a bare list, as AWS's scikit-learn container does.
            const parsed = JSON.parse(asJson.text) as number[] | { predictions: number[] };
            assert.deepEqual(Array.isArray(parsed) ? parsed : parsed.predictions, model.predictions);
        });

        it("answers a NumPy .npy body, and answers in .npy when asked, bytes intact both ways", async () => {
            const npy = toNpy(model.rows);
            const asJson = await predict(npy, { "Content-Type": "application/x-npy" });
            assert.equal(asJson.status, 200, asJson.text);
            const parsed = JSON.parse(asJson.text) as number[] | { predictions: number[] };
            assert.deepEqual(Array.isArray(parsed) ? parsed : parsed.predictions, model.predictions);
            const res = await fetch(`${ready.url}/predict`, {
                method: "POST",
                headers: { "x-api-key": KEY, "Content-Type": "application/x-npy", Accept: "application/x-npy" },
                body: npy,
            });
            assert.equal(res.status, 200);
            assert.equal(res.headers.get("content-type"), "application/x-npy");
            assert.deepEqual(fromNpy(Buffer.from(await res.arrayBuffer())), model.predictions);
        });

        it("answers 403 Forbidden without the API key and with a wrong one, in the API's error shape", async () => {
            const body = JSON.stringify({ instances: model.rows });
            for (const headers of [{}, { "x-api-key": "wrong" }] as Record<string, string>[]) {
                const res = await post(`${ready.url}/predict`, body, { "Content-Type": "application/json", ...headers });
                assert.equal(res.status, 403);
                assert.equal(errorShape(res.text).code, "Forbidden");
            }
        });

        it("is reachable with the AWS SDK at the printed runtime URL and endpoint name, as SageMaker is", async () => {
            const client = new SageMakerRuntimeClient({
                endpoint: ready.runtimeUrl,
                region: "us-east-1",
                credentials: { accessKeyId: "any", secretAccessKey: "any" },
                maxAttempts: 1,
            });
            try {
                const out = await client.send(
                    new InvokeEndpointCommand({
                        EndpointName: ready.endpointName,
                        ContentType: "text/csv",
                        Accept: "text/csv",
                        Body: Buffer.from(csv(model.rows)),
                    }),
                );
                assert.deepEqual(Buffer.from(out.Body!).toString().trim().split("\n").map(Number), model.predictions);
                assert.equal(out.ContentType, "text/csv");
                assert.equal(out.InvokedProductionVariant, "AllTraffic");
                // The model's own 400, as SageMaker reports it: a ModelError with the original status and AWS's ErrorCode.
                const err = (await client
                    .send(
                        new InvokeEndpointCommand({
                            EndpointName: ready.endpointName,
                            ContentType: "application/json",
                            Body: Buffer.from("[[1, 2]]"),
                        }),
                    )
                    .then(
                        () => assert.fail("a two-feature row was accepted"),
                        (e) => e,
                    )) as Record<string, any>;
                assert.deepEqual(
                    [err.name, err.$metadata.httpStatusCode, err.OriginalStatusCode, err.ErrorCode],
                    ["ModelError", 424, 400, "CLIENT_ERROR_FROM_MODEL"],
                );
            } finally {
                client.destroy();
            }
        });

        it("docs/local.md's AWS CLI and boto3 calls work as written against the printed runtime (Debian's awscli and python3-boto3)", async () => {
            const env = bareAwsEnv({ RUNTIME: ready.runtimeUrl });
            const cwd = fs.mkdtempSync(path.join(tmp, "docs-"));
            const [cli] = docBlocks("Calling the local SageMaker runtime", "sh").filter((b) => b.includes("aws sagemaker-runtime"));
            assert.ok(cli, "no AWS CLI block");
            const ran = spawnSync("bash", ["-euo", "pipefail", "-c", cli], { cwd, env, encoding: "utf8", timeout: 60_000 });
            assert.equal(ran.status, 0, `${ran.stdout}\n${ran.stderr}`);
            assert.equal(JSON.parse(fs.readFileSync(path.join(cwd, "predictions.json"), "utf8")).predictions[0], model.predictions[0]);
            assert.match(ran.stdout, /"InvokedProductionVariant": "AllTraffic"/);
            const [python] = docBlocks("Calling the local SageMaker runtime", "python");
            assert.ok(python?.includes("boto3"), "no boto3 block");
            const py = spawnSync("/usr/bin/python3", ["-c", python], { cwd, env, encoding: "utf8", timeout: 60_000 });
            assert.equal(py.status, 0, py.stderr);
            const lines = py.stdout.trim().split("\n").map(Number);
            assert.equal(lines.length, 2, py.stdout);
            assert.equal(lines[0], model.predictions[0]);
            // boto3 without ContentType: nothing is sent, and the server reads JSON, as AWS's containers do.
            const noType = spawnSync(
                "/usr/bin/python3",
                [
                    "-c",
                    'import os, boto3; c = boto3.client("sagemaker-runtime", endpoint_url=os.environ["RUNTIME"], region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"); print(c.invoke_endpoint(EndpointName="modelapi-local", Body=b"[[5.1, 3.5, 1.4, 0.2]]")["Body"].read().decode())',
                ],
                { env, encoding: "utf8", timeout: 60_000 },
            );
            assert.equal(noType.status, 0, noType.stderr);
            assert.deepEqual(JSON.parse(noType.stdout), [model.predictions[0]]);
        });

        it("answers an unknown route with 404 and the JSON error shape", async () => {
            const res = await post(`${ready.url}/nowhere`, "{}", { "x-api-key": KEY, "Content-Type": "application/json" });
            assert.equal(res.status, 404);
            assert.equal(errorShape(res.text).code, "NotFound");
        });

        it("answers a malformed body with 400 and the JSON error shape", async () => {
            const res = await predict('{"instances": [[5.1, 3.5');
            assert.equal(res.status, 400, res.text);
            assert.match(errorShape(res.text).message, /JSON/i);
            const wrongWidth = await predict(JSON.stringify({ instances: [[1, 2]] }));
            assert.equal(wrongWidth.status, 400, wrongWidth.text);
            errorShape(wrongWidth.text);
        });

        it("answers a JSON body that is not UTF-8 with 400, as the deployed API and the container do", async () => {
            const bytes = Buffer.concat([
                Buffer.from('{"instances": [[5.1, 3.5, 1.4, 0.2]], "id": "'),
                Buffer.from([0xff]),
                Buffer.from('"}'),
            ]);
            const res = await predict(bytes);
            assert.equal(res.status, 400, res.text);
            assert.match(errorShape(res.text).message, /not UTF-8/);
        });

        it("answers a content type the model cannot read with 415", async () => {
            const res = await predict("<rows/>", { "Content-Type": "application/xml" });
            assert.equal(res.status, 415, res.text);
            errorShape(res.text);
        });

        it("answers a text body over the text limit with 413 and the JSON error shape", async () => {
            const row = "5.1,3.5,1.4,0.2\n";
            const big = row.repeat(Math.ceil((requestBodyLimits("realtime").text + 1) / row.length));
            const res = await predict(big, { "Content-Type": "text/csv" });
            assert.equal(res.status, 413, res.text);
            errorShape(res.text);
        });

        it("on SIGINT stops the gateway, the model server and its workers, removes its files and exits 0", async () => {
            const workDir = /unpacking \S+ into (\S+)\/model/.exec(twin.stdout)?.[1];
            assert.ok(workDir && fs.existsSync(workDir), `no work directory in the output:\n${twin.output()}`);
            assert.ok(groupAlive(ready.serverPid), "the model server should be running before the stop");
            twin.child.kill("SIGINT");
            const { code } = await twin.exit();
            assert.equal(code, 0, twin.output());
            assert.ok(await waitGone(ready.serverPid), `model server process group ${ready.serverPid} is still running`);
            assert.equal(fs.existsSync(workDir), false, `${workDir} was left behind`);
            await assert.rejects(fetch(`${ready.url}/predict`), "the API still answers after the stop");
        });
    });

    describe("several models on one multi-model endpoint", () => {
        let iris: FittedModel;
        let reversed: FittedModel;
        let twin: TwinProcess;
        let ready: ReadyLine;
        const predict = (name: string, body: string) =>
            post(`${ready.url}/models/${name}/predict`, body, { "x-api-key": KEY, "Content-Type": "application/json" });

        before(async () => {
            iris = fitModel(path.join(tmp, "mm-iris"));
            reversed = fitModel(path.join(tmp, "mm-reversed"), "reversed");
            // One model comes as a ready .tar.gz made by GNU tar, as a user might bring it.
            const archive = path.join(tmp, "reversed.tar.gz");
            const tar = spawnSync("tar", ["-czf", archive, "-C", reversed.dir, "."], { encoding: "utf8" });
            assert.equal(tar.status, 0, tar.stderr);
            const broken = raisingModel(path.join(tmp, "mm-broken"));
            twin = new TwinProcess([
                "--multi-model",
                "--port",
                "0",
                "--api-key",
                KEY,
                `iris=${iris.dir}`,
                `reversed=${archive}`,
                `broken=${broken}`,
            ]);
            ready = await twin.ready();
        });
        after(async () => twin?.kill(ready?.serverPid));

        it("each model answers with its own predictions", async () => {
            assert.notDeepEqual(iris.predictions, reversed.predictions, "the two test models must disagree for this test to mean anything");
            const a = await predict("iris", JSON.stringify({ instances: iris.rows }));
            const b = await predict("reversed", JSON.stringify({ instances: reversed.rows }));
            assert.equal(a.status, 200, a.text);
            assert.equal(b.status, 200, b.text);
            assert.deepEqual(JSON.parse(a.text).predictions, iris.predictions);
            assert.deepEqual(JSON.parse(b.text).predictions, reversed.predictions);
            // And again, now that both are loaded side by side.
            const again = await predict("iris", JSON.stringify({ instances: iris.rows }));
            assert.deepEqual(JSON.parse(again.text).predictions, iris.predictions);
        });

        it("lists its models and reports them in the ready line", async () => {
            assert.deepEqual(ready.models, ["iris", "reversed", "broken"]);
            const res = await fetch(`${ready.url}/models`, { headers: { "x-api-key": KEY } });
            assert.equal(res.status, 200);
            assert.deepEqual(((await res.json()) as { models: string[] }).models, ["iris", "reversed", "broken"]);
        });

        it("answers an unknown model with 404", async () => {
            const res = await predict("nope", JSON.stringify({ instances: iris.rows }));
            assert.equal(res.status, 404, res.text);
            assert.equal(errorShape(res.text).code, "ModelNotFound");
        });

        it("answers a model whose predict_fn raises with the Lambda's 500 ModelFailure and no trace of the exception", async () => {
            const res = await predict("broken", JSON.stringify({ instances: iris.rows }));
            assert.equal(res.status, 500, res.text);
            assert.equal(errorShape(res.text).code, "ModelFailure");
            for (const leak of ["Traceback", "secret-detail", "inference.py", "RuntimeError"]) {
                assert.ok(!res.text.includes(leak), `the answer leaks "${leak}": ${res.text}`);
            }
        });

        it("on SIGTERM stops everything and exits 0", async () => {
            twin.child.kill("SIGTERM");
            const { code } = await twin.exit();
            assert.equal(code, 0, twin.output());
            assert.ok(await waitGone(ready.serverPid), `model server process group ${ready.serverPid} is still running`);
        });
    });

    describe("npm start", () => {
        let dir: string;
        before(() => {
            dir = fitModel(path.join(tmp, "npm")).dir;
        });

        /** True once nothing of the run is left: npm's process group, the twin, the model server's group and its watchdog. */
        async function nothingLeft(npmPid: number, ready: ReadyLine): Promise<string[]> {
            const deadline = Date.now() + 15_000;
            let left: string[];
            do {
                left = [
                    ...(groupAlive(npmPid) ? [`npm's process group ${npmPid}`] : []),
                    ...(alive(ready.pid) ? [`the twin ${ready.pid}`] : []),
                    ...(groupAlive(ready.serverPid) ? [`the model server's group ${ready.serverPid}`] : []),
                    ...watchdogsFor(ready.serverPid).map((pid) => `watchdog ${pid}`),
                ];
                if (left.length === 0) break;
                await new Promise((r) => setTimeout(r, 100));
            } while (Date.now() < deadline);
            return left;
        }

        it("kill -INT of the npm process stops the twin and everything it started", async () => {
            const twin = new TwinProcess(["--port", "0", "--api-key", KEY, dir], {}, { npm: true });
            let ready: ReadyLine | undefined;
            try {
                ready = await twin.ready(120_000);
                assert.notEqual(ready.pid, twin.child.pid, "the twin is npm's child, not npm");
                process.kill(twin.child.pid!, "SIGINT");
                await twin.exit();
                assert.deepEqual(await nothingLeft(twin.child.pid!, ready), []);
                assert.ok(twin.stdout.includes("stopped; nothing is left running"), twin.output());
            } finally {
                await twin.kill(ready?.serverPid);
            }
        });

        it("Ctrl-C in a terminal (SIGINT to the whole group, so twice to the twin) is one graceful stop", async () => {
            const twin = new TwinProcess(["--port", "0", "--api-key", KEY, dir], {}, { npm: true });
            let ready: ReadyLine | undefined;
            try {
                ready = await twin.ready(120_000);
                process.kill(-twin.child.pid!, "SIGINT");
                // npm passes its SIGINT on, but not always before the twin has begun to stop: a second one for sure.
                process.kill(ready.pid, "SIGINT");
                await twin.exit();
                assert.deepEqual(await nothingLeft(twin.child.pid!, ready), []);
                // The graceful stop ran to its end rather than the second signal's immediate exit.
                assert.equal(twin.stdout.match(/SIGINT: stopping/g)?.length, 1, twin.output());
                assert.ok(twin.stdout.includes("stopped; nothing is left running"), twin.output());
            } finally {
                await twin.kill(ready?.serverPid);
            }
        });
    });

    describe("the example model", () => {
        let twin: TwinProcess;
        let ready: ReadyLine;
        after(async () => twin?.kill(ready?.serverPid));

        it("is served when no MODEL is given, and tells iris species apart", async () => {
            twin = new TwinProcess(["--port", "0"]);
            ready = await twin.ready();
            assert.match(ready.apiKey, /^[A-Za-z0-9]{40}$/, "a random key per run");
            const res = await post(
                `${ready.url}/predict`,
                JSON.stringify({
                    instances: [
                        [5.1, 3.5, 1.4, 0.2],
                        [6.7, 3.0, 5.2, 2.3],
                    ],
                }),
                {
                    "x-api-key": ready.apiKey,
                    "Content-Type": "application/json",
                },
            );
            assert.equal(res.status, 200, res.text);
            assert.deepEqual(JSON.parse(res.text).predictions, [0, 2]);
            twin.child.kill("SIGINT");
            assert.equal((await twin.exit()).code, 0, twin.output());
        });
    });

    describe("a twin killed without warning", () => {
        it("kill -9 of the twin still stops its model server and removes its scratch directory, through the watchdog", async () => {
            const dir = fitModel(path.join(tmp, "killed")).dir;
            const twin = new TwinProcess(["--port", "0", dir]);
            const ready = await twin.ready();
            try {
                assert.equal(watchdogsFor(ready.serverPid).length, 1, "one watchdog per model server");
                const workDir = /unpacking \S+ into (\S+)\/model\b/.exec(twin.stdout)?.[1];
                assert.ok(workDir && fs.existsSync(workDir), `no scratch directory in the progress lines:\n${twin.stdout}`);
                twin.child.kill("SIGKILL");
                await twin.exit();
                assert.ok(await waitGone(ready.serverPid, 15_000), `model server process group ${ready.serverPid} outlived the twin`);
                const deadline = Date.now() + 10_000;
                while (fs.existsSync(workDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
                assert.ok(!fs.existsSync(workDir), `${workDir} outlived the twin`);
            } finally {
                await twin.kill(ready.serverPid);
            }
        });
    });

    describe("stopping while starting", () => {
        it("Ctrl-C while the model is still loading stops the server and exits 0", async () => {
            const dir = slowModel(path.join(tmp, "slow"), 20);
            const twin = new TwinProcess(["--port", "0", dir]);
            let serverPid = 0;
            try {
                const deadline = Date.now() + 60_000;
                while (!/answer \/ping \(pid (\d+)\)/.test(twin.stdout) && Date.now() < deadline) {
                    await new Promise((r) => setTimeout(r, 100));
                }
                serverPid = Number(/answer \/ping \(pid (\d+)\)/.exec(twin.stdout)?.[1]);
                assert.ok(serverPid > 0, `the model server never started:\n${twin.output()}`);
                twin.child.kill("SIGINT");
                const { code } = await twin.exit();
                assert.equal(code, 0, twin.output());
                assert.ok(await waitGone(serverPid), `model server process group ${serverPid} is still running`);
                assert.ok(!twin.stdout.includes("ready "), "no ready line after a stop");
            } finally {
                await twin.kill(serverPid);
            }
        });
    });

    describe("clear errors", () => {
        it("a model that cannot load says why, and leaves nothing running", async () => {
            const dir = path.join(tmp, "empty-model");
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, "README.txt"), "no estimator here");
            const twin = new TwinProcess(["--port", "0", dir]);
            const { code } = await twin.exit(60_000);
            assert.equal(code, 1, twin.output());
            assert.match(twin.stderr, /cannot serve the model: .*no model file/, twin.output());
            const pid = Number(/answer \/ping \(pid (\d+)\)/.exec(twin.stdout)?.[1]);
            assert.ok(pid > 0 && (await waitGone(pid)), `model server ${pid} is still running`);
        });

        it("a busy port names the port and --port, and starts nothing", async () => {
            const blocker = net.createServer();
            await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
            const port = (blocker.address() as net.AddressInfo).port;
            try {
                const dir = fitModel(path.join(tmp, "busy")).dir;
                const twin = new TwinProcess(["--port", String(port), dir]);
                const { code } = await twin.exit();
                assert.equal(code, 1, twin.output());
                assert.match(twin.stderr, new RegExp(`port ${port} .*already in use.*--port`));
                assert.ok(!twin.stdout.includes("starting the model server"), twin.output());
            } finally {
                blocker.close();
            }
        });

        it("a missing model path is named", async () => {
            const missing = path.join(tmp, "no-such-model");
            const twin = new TwinProcess(["--port", "0", missing]);
            const { code } = await twin.exit();
            assert.equal(code, 1, twin.output());
            assert.ok(twin.stderr.includes(`model path ${missing} does not exist`), twin.output());
        });

        it("several models without --multi-model are refused", async () => {
            const twin = new TwinProcess(["--port", "0", "a=/tmp/a", "b=/tmp/b"]);
            const { code } = await twin.exit();
            assert.equal(code, 2, twin.output());
            assert.match(twin.stderr, /--multi-model/);
        });

        it("a Python without the model libraries names what to install for that interpreter", async () => {
            // Debian's Python with its site packages switched off: numpy, scikit-learn and joblib are missing.
            const bare = path.join(tmp, "bare-python");
            fs.writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n', { mode: 0o755 });
            const dir = fitModel(path.join(tmp, "nodeps")).dir;
            const twin = new TwinProcess(["--port", "0", dir], { MODELAPI_PYTHON: bare });
            const { code } = await twin.exit(60_000);
            assert.equal(code, 1, twin.output());
            // MODELAPI_PYTHON names another interpreter, so the advice is for it, not Debian's apt-get.
            assert.match(
                twin.stderr,
                /\(MODELAPI_PYTHON\) cannot import (numpy|sklearn|joblib|scipy)[^;]*; install [a-z-]+.* for that interpreter/,
                twin.output(),
            );
        });
    });
});
