/**
 * Content addressing: same model → same bytes → same S3 key; one changed byte → a new key. The same
 * for the image tag (build context) and the Lambda bundle.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { SETTLE_MS } from "../../../core/archive/cache";
import { writeArchive } from "../../../core/archive/writer";
import { contextFiles, contextHash, contextTag } from "../../../core/archive/context-hash";
import { packModel, tarGzDirectory } from "../../../core/archive/pack";
import { multiModelKey, singleModelKey } from "../../../components/artifacts/model-artifacts";
import { buildLambdaBundle } from "../../../lambda/bundle";
import { imageContext, modelDir, tempDir } from "../../components/fixtures";
import { GOLDEN_ARCHIVE_BASE64, GOLDEN_SHA256, goldenModelDir } from "../../components/golden-model";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

describe("content-addressed artifacts", function () {
    this.timeout(30000);

    describe("model archive", () => {
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

        it("a failure inside the packing worker comes back as an error naming the file, never as a hang", () => {
            const dir = modelDir({ "a.txt": "1" });
            const job = { dir, outPath: path.join(tempDir("out"), "x.tar.gz"), mtimeMs: 0, gzipLevel: 9, readSize: 1024 };
            assert.throws(() => writeArchive({ ...job, tarPaths: ["a.txt", "gone.bin"] }), /ENOENT.*gone\.bin/);
            fs.writeFileSync(job.outPath, "taken");
            assert.throws(() => writeArchive({ ...job, tarPaths: ["a.txt"] }), /EEXIST/);
        });

        it("the single-model key carries the archive's hash; the multi-model key is the model's name", () => {
            assert.equal(singleModelKey("iris", "ab12"), "models/iris/ab12/model.tar.gz");
            assert.equal(multiModelKey("iris"), "multi-model/iris.tar.gz");
        });
    });

    describe("model archive cache", () => {
        // The cache trusts only files that have not changed for SETTLE_MS, so the models are made that long before.
        let dir: string;
        let ready: string;
        let out: string;
        before(async () => {
            dir = modelDir({ "model.joblib": "weights-v1", "code/inference.py": "x = 1\n" });
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

        it("a rewritten file with the same size and mtime still gives a new archive", () => {
            const copy = modelDir({ "model.joblib": "weights-v1" });
            const file = path.join(copy, "model.joblib");
            const old = new Date(Date.now() - 60_000);
            fs.utimesSync(file, old, old);
            // ctime cannot be set back, so this directory is never cached; the point is the new bytes.
            const first = packModel(copy, out);
            fs.writeFileSync(file, "weights-v2");
            fs.utimesSync(file, old, old);
            const second = packModel(copy, out);
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

    describe("image tag", () => {
        it("is the same for the same context files, wherever they are", () => {
            const files = { Dockerfile: "FROM python:3.12-slim\n", "app.py": "print(1)\n" };
            assert.equal(contextTag(imageContext(files)), contextTag(imageContext(files)));
        });

        it("changes when one byte of a context file changes", () => {
            assert.notEqual(contextTag(imageContext({ Dockerfile: "FROM a\n" })), contextTag(imageContext({ Dockerfile: "FROM b\n" })));
        });

        it("changes when a file is renamed", () => {
            assert.notEqual(
                contextHash(imageContext({ Dockerfile: "x", "a.py": "1" })),
                contextHash(imageContext({ Dockerfile: "x", "b.py": "1" })),
            );
        });

        it("ignores what .dockerignore excludes", () => {
            const base = { Dockerfile: "FROM a\n", ".dockerignore": "tests/\n**/__pycache__\n*.md\n" };
            const clean = contextHash(imageContext(base));
            const noisy = contextHash(
                imageContext({ ...base, "tests/test_x.py": "assert 1", "pkg/__pycache__/m.pyc": "x", "NOTES.md": "n" }),
            );
            assert.equal(noisy, clean);
            assert.notEqual(contextHash(imageContext({ ...base, "pkg/m.py": "x" })), clean);
        });

        it("honours .dockerignore exceptions: a file an exception keeps counts, its excluded neighbours do not", () => {
            const base = { Dockerfile: "FROM a\n", ".dockerignore": "tests/\n!tests/keep.py\n*.md\n" };
            const clean = contextHash(imageContext(base));
            assert.equal(contextHash(imageContext({ ...base, "tests/other.py": "x", "README.md": "r" })), clean);
            assert.notEqual(contextHash(imageContext({ ...base, "tests/keep.py": "x" })), clean);
            assert.deepEqual(contextFiles(imageContext({ ...base, "tests/keep.py": "x", "tests/other.py": "x", "docs/a.md": "a" })), [
                ".dockerignore",
                "Dockerfile",
                "docs/a.md", // "*.md" matches at the context's root only, as in Docker
                "tests/keep.py",
            ]);
        });

        it("the shipped container/ context hashes exactly the files the npm package ships, so its tag is the same installed", () => {
            const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
            const globs: RegExp[] = pkg.files
                .filter((f: string) => f.startsWith("container/"))
                .map(
                    (f: string) =>
                        new RegExp(
                            `^${f
                                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                                .replace(/\*\*\//g, "(?:.*/)?")
                                .replace(/\*/g, "[^/]*")}$`,
                        ),
                );
            const context = path.join(REPO_ROOT, "container");
            const all: string[] = [];
            const walk = (dir: string) => {
                for (const entry of fs.readdirSync(path.join(context, dir), { withFileTypes: true })) {
                    const rel = dir ? `${dir}/${entry.name}` : entry.name;
                    if (entry.isDirectory()) walk(rel);
                    else all.push(rel);
                }
            };
            walk("");
            const shipped = all.filter((rel) => globs.some((g) => g.test(`container/${rel}`)));
            assert.ok(shipped.includes("Dockerfile") && shipped.includes("serve"), shipped.join(", "));
            assert.deepEqual([...contextFiles(context)].sort(), shipped.sort());
        });

        it("includes a Dockerfile that lives outside the context", () => {
            const context = imageContext({ "app.py": "1" });
            const a = path.join(tempDir("df"), "Dockerfile");
            const b = path.join(tempDir("df"), "Dockerfile");
            fs.writeFileSync(a, "FROM a\n");
            fs.writeFileSync(b, "FROM b\n");
            assert.notEqual(contextHash(context, a), contextHash(context, b));
        });

        it("refuses a context that is not a directory", () => {
            assert.throws(() => contextHash("/nonexistent/context"), /image context "\/nonexistent\/context" is not a directory/);
        });
    });

    describe("lambda bundle", () => {
        it("is byte-identical across two builds", () => {
            const a = buildLambdaBundle(tempDir("bundle"));
            const b = buildLambdaBundle(tempDir("bundle"));
            assert.notEqual(a, b);
            assert.ok(fs.statSync(a).size > 0);
            assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)));
        });
    });
});
