/**
 * `npm run postman`: writes each API's collection from a stack's outputs, read from `pulumi stack output
 * --json` (a stand-in `pulumi` on PATH here, there is no Pulumi CLI in tests) or from a saved file,
 * without ever asking for secrets.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiAuth } from "../../components";
import { postmanCollection } from "../../core/api/postman";
import { postmanErrors } from "../support/documents";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(REPO_ROOT, "scripts", "postman-collection.ts");
const URL = "https://abc123.execute-api.us-east-1.amazonaws.com/v1";

function collection(title: string): string {
    return JSON.stringify(postmanCollection({ title, url: URL, auth: ApiAuth.ApiKey, multiModel: false, modelNames: [title] }));
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", SCRIPT, ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env },
        timeout: 60_000,
    });
}

describe("npm run postman", function () {
    this.timeout(60_000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-postman-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes one valid collection per API of a stack with several, from saved outputs", () => {
        const outputs = path.join(tmp, "outputs.json");
        fs.writeFileSync(
            outputs,
            JSON.stringify({
                apis: {
                    iris: { url: URL, apiKey: "[secret]", postmanCollection: collection("iris") },
                    wine: { url: URL, postmanCollection: collection("wine") },
                },
            }),
        );
        const out = path.join(tmp, "several");
        const result = run(["--outputs", outputs, "--out-dir", out]);
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(fs.readdirSync(out).sort(), ["iris.postman_collection.json", "wine.postman_collection.json"]);
        const written = JSON.parse(fs.readFileSync(path.join(out, "iris.postman_collection.json"), "utf8"));
        assert.equal(postmanErrors(written), "");
        assert.equal(written.variable.find((v: any) => v.key === "baseUrl").value, URL);
        assert.match(result.stdout, /pulumi stack output apiKey --show-secrets/);
    });

    it("runs pulumi stack output --json for the named stack, never with --show-secrets", () => {
        const bin = path.join(tmp, "bin");
        fs.mkdirSync(bin, { recursive: true });
        const argsFile = path.join(tmp, "pulumi-args");
        const body = JSON.stringify({ url: URL, apiKey: "[secret]", postmanCollection: collection("iris") });
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "$@" > '${argsFile}'\ncat <<'JSON'\n${body}\nJSON\n`, { mode: 0o755 });
        const out = path.join(tmp, "one");
        const result = run(["--stack", "dev", "--out-dir", out], { PATH: `${bin}:${process.env.PATH}` });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(fs.readFileSync(argsFile, "utf8").trim(), "stack output --json --stack dev");
        assert.deepEqual(fs.readdirSync(out), ["iris.postman_collection.json"]);
    });

    it("fails with a clear message when the stack has no postmanCollection output", () => {
        const outputs = path.join(tmp, "old.json");
        fs.writeFileSync(outputs, JSON.stringify({ url: URL }));
        const result = run(["--outputs", outputs, "--out-dir", path.join(tmp, "none")]);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /the stack has no postmanCollection output; deploy it with this version of ModelApi first/);
    });
});
