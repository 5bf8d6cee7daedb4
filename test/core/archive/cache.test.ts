/**
 * The archive cache (core/archive/cache.ts): an unchanged model is not packed again, and nothing changed is
 * ever mistaken for unchanged.
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { SETTLE_MS } from "../../../core/archive/cache";
import { packModel } from "../../../core/archive/pack";
import { modelDir, tempDir } from "../../components/fixtures";

describe("model archive cache", function () {
    this.timeout(30000);
    // The cache trusts only files that have not changed for SETTLE_MS, so the models are made that long before.
    let dir: string;
    let rewritten: string;
    let ready: string;
    let out: string;
    // A whole second, so that a file's mtime can be set back to exactly what it was.
    const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    before(async () => {
        dir = modelDir({ "model.joblib": "weights-v1", "code/inference.py": "x = 1\n" });
        rewritten = modelDir({ "model.joblib": "weights-v1" });
        fs.utimesSync(path.join(rewritten, "model.joblib"), old, old);
        ready = path.join(tempDir("ready"), "model.tar.gz");
        fs.copyFileSync(packModel(modelDir({ "m.bin": "ready" }), tempDir("out")).archivePath, ready);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 100));
    });
    beforeEach(() => {
        out = tempDir("out");
    });

    it("an unchanged directory is not packed again: the archive written last time is returned untouched", () => {
        const first = packModel(dir, out);
        const written = fs.statSync(first.archivePath);
        const second = packModel(dir, out);
        assert.deepEqual(second, first);
        const after = fs.statSync(second.archivePath);
        assert.equal(after.ino, written.ino);
        assert.equal(after.mtimeMs, written.mtimeMs);
    });

    it("a file rewritten with the same size and mtime after its directory was cached still gives a new archive", () => {
        const file = path.join(rewritten, "model.joblib");
        const first = packModel(rewritten, out);
        // Cached: the second pack returns the very file the first one wrote.
        const written = fs.statSync(first.archivePath);
        assert.deepEqual(packModel(rewritten, out), first);
        assert.equal(fs.statSync(first.archivePath).ino, written.ino);
        const before = fs.statSync(file);
        fs.writeFileSync(file, "weights-v2");
        fs.utimesSync(file, old, old);
        const after = fs.statSync(file);
        assert.deepEqual([after.size, after.mtimeMs, after.ino], [before.size, before.mtimeMs, before.ino]);
        const second = packModel(rewritten, out);
        assert.notEqual(second.sha256, first.sha256);
    });

    it("a cached archive that was deleted or altered is packed again, never trusted", () => {
        const first = packModel(dir, out);
        fs.rmSync(first.archivePath);
        const again = packModel(dir, out);
        assert.equal(again.sha256, first.sha256);
        assert.ok(fs.existsSync(again.archivePath));
        fs.writeFileSync(again.archivePath, "garbage");
        const third = packModel(dir, out);
        assert.equal(third.sha256, first.sha256);
        assert.equal(crypto.createHash("sha256").update(fs.readFileSync(third.archivePath)).digest("hex"), first.sha256);
    });

    it("a file changed after the first pack gives a new archive", () => {
        const copy = modelDir({ "model.joblib": "weights-v1" });
        const first = packModel(copy, out);
        fs.appendFileSync(path.join(copy, "model.joblib"), "-more");
        assert.notEqual(packModel(copy, out).sha256, first.sha256);
    });

    it("a ready archive is hashed once, and again when it changes", () => {
        const first = packModel(ready, out);
        assert.deepEqual(packModel(ready, out), first);
        fs.copyFileSync(packModel(modelDir({ "m.bin": "other" }), tempDir("out")).archivePath, ready);
        const second = packModel(ready, out);
        assert.notEqual(second.sha256, first.sha256);
        assert.equal(second.sha256, crypto.createHash("sha256").update(fs.readFileSync(ready)).digest("hex"));
    });
});
