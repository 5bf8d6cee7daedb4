/** The image tag (core/archive/context-hash.ts): the content hash of the Docker build context, as Docker sends it. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { contextFiles, contextHash, contextTag } from "../../../core/archive/context-hash";
import { imageContext, tempDir } from "../../components/fixtures";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

describe("image tag", function () {
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
        const noisy = contextHash(imageContext({ ...base, "tests/test_x.py": "assert 1", "pkg/__pycache__/m.pyc": "x", "NOTES.md": "n" }));
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

    it("the same files for another platform are another image, so another tag", () => {
        const context = imageContext({ Dockerfile: "FROM a\n" });
        assert.notEqual(contextTag(context, undefined, "linux/amd64"), contextTag(context, undefined, "linux/arm64"));
        assert.equal(contextTag(context, undefined, "linux/arm64"), contextTag(context, undefined, "linux/arm64"));
    });

    it("refuses a context that is not a directory", () => {
        assert.throws(() => contextHash("/nonexistent/context"), /image context "\/nonexistent\/context" is not a directory/);
    });
});
