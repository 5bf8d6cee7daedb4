/**
 * The model archive (core/archive/pack.ts): same model → same bytes → same S3 key; one changed byte → a new
 * key. Packed deterministically, refusing what would unpack differently elsewhere.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { packModel, tarGzDirectory } from "../../../core/archive/pack";
import { singleModelKey } from "../../../components/artifacts/model-artifacts";
import { modelDir, tempDir } from "../../components/fixtures";
import { GOLDEN_ARCHIVE_BASE64, GOLDEN_SHA256, goldenModelDir } from "./golden-model";

describe("model archive", function () {
    this.timeout(30000);

    it("packing the same directory twice gives byte-identical archives and the same key", () => {
        const dir = modelDir();
        const a = packModel(dir, tempDir("out"));
        const b = packModel(dir, tempDir("out"));
        assert.notEqual(a.archivePath, b.archivePath);
        assert.ok(fs.readFileSync(a.archivePath).equals(fs.readFileSync(b.archivePath)));
        assert.equal(singleModelKey("iris", a.sha256), singleModelKey("iris", b.sha256));
    });

    it("two copies of the same files give the same bytes, whatever their times, order, permissions and links", () => {
        const files = { "model.joblib": "weights", "code/inference.py": "x = 1\n", "z/last.txt": "z" };
        const a = modelDir(files);
        // The second copy: files created in the opposite order, other mtimes, group-writable, owner-only,
        // and one file hard-linked to a file outside the model.
        const b = tempDir("model");
        for (const name of Object.keys(files).reverse()) {
            fs.mkdirSync(path.dirname(path.join(b, name)), { recursive: true });
            fs.writeFileSync(path.join(b, name), files[name as keyof typeof files]);
        }
        fs.utimesSync(path.join(b, "model.joblib"), new Date(2001, 1, 1), new Date(2001, 1, 1));
        fs.chmodSync(path.join(b, "model.joblib"), 0o664);
        fs.chmodSync(path.join(b, "code"), 0o700);
        fs.chmodSync(path.join(b, "z/last.txt"), 0o600);
        fs.linkSync(path.join(b, "z/last.txt"), path.join(tempDir("elsewhere"), "linked.txt"));
        const packedA = packModel(a, tempDir("out"));
        const packedB = packModel(b, tempDir("out"));
        assert.ok(fs.readFileSync(packedA.archivePath).equals(fs.readFileSync(packedB.archivePath)));
        assert.equal(packedA.sha256, packedB.sha256);
    });

    it("a file hard-linked twice inside the model is stored twice as a plain file, never as a link", () => {
        const dir = modelDir({ "a.bin": "same" });
        fs.linkSync(path.join(dir, "a.bin"), path.join(dir, "b.bin"));
        const copy = modelDir({ "a.bin": "same", "b.bin": "same" });
        assert.equal(packModel(dir, tempDir("out")).sha256, packModel(copy, tempDir("out")).sha256);
    });

    it("changing one byte of the model changes the key", () => {
        const a = packModel(modelDir({ "model.joblib": "weights-A" }));
        const b = packModel(modelDir({ "model.joblib": "weights-B" }));
        assert.notEqual(a.sha256, b.sha256);
        assert.notEqual(singleModelKey("iris", a.sha256), singleModelKey("iris", b.sha256));
    });

    it("renaming a file or adding an empty directory changes the key", () => {
        const base = packModel(modelDir({ "a.txt": "1" })).sha256;
        assert.notEqual(packModel(modelDir({ "b.txt": "1" })).sha256, base);
        const withEmpty = modelDir({ "a.txt": "1" });
        fs.mkdirSync(path.join(withEmpty, "empty"));
        assert.notEqual(packModel(withEmpty).sha256, base);
    });

    it("the deprecated tarGzDirectory returns exactly the bytes packModel writes", () => {
        const dir = modelDir();
        const before = tarGzDirectory(dir);
        fs.utimesSync(path.join(dir, "model.joblib"), new Date(2001, 1, 1), new Date(2001, 1, 1));
        assert.ok(tarGzDirectory(dir).equals(before));
        assert.ok(fs.readFileSync(packModel(dir, tempDir("out")).archivePath).equals(before));
    });

    it("the golden model packs to the golden archive, byte for byte", () => {
        const packed = packModel(goldenModelDir(), tempDir("out"));
        const bytes = fs.readFileSync(packed.archivePath);
        // If this fails after a dependency update, every model gets a new S3 key (and a new SageMaker Model) on
        // the next `pulumi up`: update the golden only on purpose, and say so in the release notes.
        assert.equal(packed.sha256, GOLDEN_SHA256);
        assert.ok(bytes.equals(Buffer.from(GOLDEN_ARCHIVE_BASE64, "base64")));
        assert.equal(crypto.createHash("sha256").update(Buffer.from(GOLDEN_ARCHIVE_BASE64, "base64")).digest("hex"), GOLDEN_SHA256);
    });

    it("the golden archive holds sorted entries, fixed modes and mtime, no owners, and a gzip header without time or OS", () => {
        const bytes = Buffer.from(GOLDEN_ARCHIVE_BASE64, "base64");
        assert.deepEqual([...bytes.subarray(4, 8)], [0, 0, 0, 0], "gzip MTIME is zero");
        assert.equal(bytes[9], 255, "gzip OS is 'unknown'");
        const listing = spawnSync("tar", ["-tvzf", "-", "--numeric-owner", "--utc"], { input: bytes, encoding: "utf8" });
        assert.equal(listing.status, 0, listing.stderr);
        const lines = listing.stdout
            .trim()
            .split("\n")
            .map((l) => l.replace(/\s+/g, " "));
        assert.deepEqual(lines, [
            "drwxr-xr-x 0/0 0 1970-01-01 00:00 code/",
            "drwxr-xr-x 0/0 0 1970-01-01 00:00 code/empty/",
            "-rw-r--r-- 0/0 46 2020-01-01 00:00 code/inference.py",
            "drwxr-xr-x 0/0 0 1970-01-01 00:00 data/",
            `-rw-r--r-- 0/0 12 2020-01-01 00:00 data/${"n".repeat(120)}.bin`,
            "drwxr-xr-x 0/0 0 1970-01-01 00:00 données/",
            "-rw-r--r-- 0/0 17 2020-01-01 00:00 données/modèle.txt",
            "-rw-r--r-- 0/0 15 2020-01-01 00:00 model.joblib",
            "-rwxr-xr-x 0/0 20 2020-01-01 00:00 serve.sh",
        ]);
    });

    it("refuses symbolic links, FIFOs and a directory without files, naming them", () => {
        const linked = modelDir({ "a.txt": "1" });
        fs.symlinkSync("/etc/passwd", path.join(linked, "passwd"));
        assert.throws(() => packModel(linked, tempDir("out")), /contains a symbolic link "passwd"; copy the file in instead/);
        const fifo = modelDir({ "a.txt": "1" });
        assert.equal(spawnSync("mkfifo", [path.join(fifo, "pipe")]).status, 0);
        assert.throws(() => packModel(fifo, tempDir("out")), /contains "pipe", which is not a regular file or directory/);
        const empty = tempDir("model");
        fs.mkdirSync(path.join(empty, "only-a-dir"));
        assert.throws(() => packModel(empty, tempDir("out")), /contains no files/);
    });

    it("takes a ready .tar.gz as is and refuses one that is not gzip", () => {
        const ready = packModel(modelDir(), tempDir("out")).archivePath;
        const taken = packModel(ready, tempDir("out"));
        assert.equal(taken.archivePath, ready);
        assert.equal(taken.sha256, crypto.createHash("sha256").update(fs.readFileSync(ready)).digest("hex"));
        const plain = path.join(tempDir("ready"), "model.tar.gz");
        fs.writeFileSync(plain, "not gzip");
        assert.throws(() => packModel(plain, tempDir("out")), /is not gzip-compressed; expected a model.tar.gz/);
    });
});
