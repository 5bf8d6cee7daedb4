/** The archive writer (core/archive/writer.ts): the worker thread that streams the archive to its file. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { packModel } from "../../../core/archive/pack";
import { writeArchive } from "../../../core/archive/writer";
import { modelDir, tempDir } from "../../components/fixtures";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const WORKERS = path.join(__dirname, "workers");

describe("archive writer", function () {
    this.timeout(120000);

    const job = (tarPaths: string[], dir = modelDir({ "a.txt": "1" })) => ({
        dir,
        tarPaths,
        outPath: path.join(tempDir("out"), "x.tar.gz"),
        mtimeMs: 0,
        gzipLevel: 9,
        readSize: 1024,
    });

    it("a failure inside the packing worker comes back as an error naming the file, never as a hang", () => {
        const failing = job(["a.txt", "gone.bin"]);
        assert.throws(() => writeArchive(failing), /ENOENT.*gone\.bin/);
        const taken = job(["a.txt"]);
        fs.writeFileSync(taken.outPath, "taken");
        assert.throws(() => writeArchive(taken), /EEXIST/);
    });

    it("packModel packs the same archive under a loader that rewrites every function, as tsx does (esbuild keepNames)", () => {
        const dir = modelDir({ "model.joblib": "weights", "code/inference.py": "def model_fn(d):\n    return d\n" });
        const expected = packModel(dir, tempDir("plain")).sha256;
        const out = tempDir("transformed");
        const script = `console.log(require(${JSON.stringify(path.join(REPO_ROOT, "core", "archive", "pack"))}).packModel(${JSON.stringify(dir)}, ${JSON.stringify(out)}).sha256)`;
        const child = spawnSync(process.execPath, ["-r", path.join(REPO_ROOT, "test", "support", "transforming-loader.js"), "-e", script], {
            encoding: "utf8",
            timeout: 100_000,
        });
        assert.equal(child.status, 0, `exit ${child.status} ${child.signal ?? ""}\n${child.stderr}`);
        assert.equal(child.stdout.trim(), expected);
    });

    it("an error in the worker after it started comes back with the worker's own message", () => {
        assert.throws(
            () => writeArchive(job(["a.txt"]), path.join(WORKERS, "tar-fails-to-load.js")),
            /Cannot find module .*no-such-tar-module\.js/,
        );
    });

    it("a worker killed mid-pack, with no chance to answer, fails the pack with that reason instead of waiting out the stall", () => {
        const dir = modelDir({ "big.bin": "x".repeat(256 * 1024), "small.txt": "1" });
        assert.throws(
            () => writeArchive(job(["big.bin", "small.txt"], dir), path.join(WORKERS, "dies-mid-pack.js")),
            /the archive worker stopped before the archive was written: no sign of life for 15 s/,
        );
    });

    it("a missing worker file is reported at once, before any thread starts", () => {
        assert.throws(() => writeArchive(job(["a.txt"]), path.join(WORKERS, "absent.js")), /the archive worker .*absent\.js is missing/);
    });
});
