import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { packModel } from "../../core/archive/pack";
import { extractTarGz } from "../../local/untar";

/** One hand-made ustar entry, for archives the packer would never write. */
function entry(name: string, type: string, data = "", extra: { linkname?: string; mode?: number } = {}): Buffer {
    const body = Buffer.from(data);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, "utf8");
    header.write(`${(extra.mode ?? 0o644).toString(8).padStart(7, "0")}\0`, 100, 8, "latin1");
    header.write("0000000\0", 108, 8, "latin1");
    header.write("0000000\0", 116, 8, "latin1");
    header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124, 12, "latin1");
    header.write("13600000000\0", 136, 12, "latin1");
    header.write("        ", 148, 8, "latin1");
    header.write(type, 156, 1, "latin1");
    if (extra.linkname) header.write(extra.linkname, 157, 100, "utf8");
    header.write("ustar\u000000", 257, 8, "latin1");
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1");
    const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
    return Buffer.concat([header, body, pad]);
}

function pax(key: string, value: string): Buffer {
    const body = ` ${key}=${value}\n`;
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    return entry("PaxHeaders/x", "x", `${length}${body}`);
}

function archive(dir: string, ...entries: Buffer[]): string {
    const file = path.join(dir, `crafted-${Math.random().toString(36).slice(2)}.tar.gz`);
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)])));
    return file;
}

describe("local twin: model archive extraction", () => {
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-untar-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("unpacks what packModel packed, byte for byte, long names and executable bits included", async () => {
        const src = path.join(tmp, "model");
        const longDir = "d".repeat(60);
        fs.mkdirSync(path.join(src, "code", longDir), { recursive: true });
        fs.writeFileSync(path.join(src, "model.joblib"), Buffer.from([0, 1, 2, 255]));
        fs.writeFileSync(path.join(src, "code", "inference.py"), "def predict_fn(x, m):\n    return x\n");
        fs.writeFileSync(path.join(src, "code", longDir, `${"f".repeat(70)}.txt`), "long");
        fs.writeFileSync(path.join(src, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(src, "empty"), "");
        fs.mkdirSync(path.join(src, "code", "empty"));
        fs.mkdirSync(path.join(src, "données"));
        fs.writeFileSync(path.join(src, "données", "modèle.txt"), "é");
        const packed = packModel(src, path.join(tmp, "archives"));

        const out = path.join(tmp, "out");
        const files = await extractTarGz(packed.archivePath, out);

        assert.equal(files, 6);
        assert.deepEqual(fs.readFileSync(path.join(out, "model.joblib")), Buffer.from([0, 1, 2, 255]));
        assert.equal(fs.readFileSync(path.join(out, "code", longDir, `${"f".repeat(70)}.txt`), "utf8"), "long");
        assert.equal(fs.readFileSync(path.join(out, "empty"), "utf8"), "");
        assert.equal(fs.statSync(path.join(out, "run.sh")).mode & 0o777, 0o755);
        assert.equal(fs.statSync(path.join(out, "model.joblib")).mode & 0o777, 0o644);
        assert.ok(fs.statSync(path.join(out, "code", "empty")).isDirectory());
        assert.equal(fs.readFileSync(path.join(out, "données", "modèle.txt"), "utf8"), "é");
    });

    it("unpacks a model that compresses more than 1000:1, as SageMaker does", async () => {
        const src = path.join(tmp, "model");
        fs.mkdirSync(src);
        fs.writeFileSync(path.join(src, "zeros.bin"), Buffer.alloc(32 * 1024 * 1024));
        const out = path.join(tmp, "out");
        assert.equal(await extractTarGz(packModel(src, path.join(tmp, "archives")).archivePath, out), 1);
        assert.equal(fs.statSync(path.join(out, "zeros.bin")).size, 32 * 1024 * 1024);
    });

    it("unpacks a setuid, world-writable file with plain permissions", async () => {
        const out = path.join(tmp, "out");
        await extractTarGz(archive(tmp, entry("tool", "0", "x", { mode: 0o4777 }), entry("data.bin", "0", "y", { mode: 0o666 })), out);
        assert.equal(fs.statSync(path.join(out, "tool")).mode & 0o7777, 0o755);
        assert.equal(fs.statSync(path.join(out, "data.bin")).mode & 0o7777, 0o644);
    });

    it("unpacks an archive made by GNU tar", async () => {
        const src = path.join(tmp, "model");
        fs.mkdirSync(path.join(src, "sub"), { recursive: true });
        fs.writeFileSync(path.join(src, "sub", "a.txt"), "a");
        const file = path.join(tmp, "gnu.tar.gz");
        const { status, stderr } = spawnSync("tar", ["-czf", file, "-C", src, "."], { encoding: "utf8" });
        assert.equal(status, 0, `tar failed: ${stderr}`);
        await extractTarGz(file, path.join(tmp, "out"));
        assert.equal(fs.readFileSync(path.join(tmp, "out", "sub", "a.txt"), "utf8"), "a");
    });

    const refusals: Array<[string, () => Buffer[], RegExp]> = [
        ["an absolute path", () => [entry("/tmp/evil", "0", "x")], /absolute/],
        ["a path with ..", () => [entry("a/../../evil", "0", "x")], /"\.\."/],
        ["a PAX path with ..", () => [pax("path", "../evil"), entry("harmless", "0", "x")], /"\.\."/],
        ["a symbolic link", () => [entry("link", "2", "", { linkname: "/etc/passwd" })], /link/],
        ["a hard link", () => [entry("link", "1", "", { linkname: "model.joblib" })], /link/],
        [
            "a symbolic link hidden behind a PAX path",
            () => [pax("path", "innocent"), entry("link", "2", "", { linkname: "/" })],
            /symbolic link "innocent"/,
        ],
        ["a character device", () => [entry("dev", "3")], /device/],
        ["a block device", () => [entry("dev", "4")], /device/],
        ["a FIFO", () => [entry("fifo", "6")], /FIFO/],
        [
            "a huge PAX header",
            () => [entry("PaxHeaders/x", "x", `${"9".repeat(8)} path=../evil\n`.padEnd(2 * 1024 * 1024, "x")), entry("harmless", "0", "x")],
            /oversized metadata entry \(2097152 bytes\)/,
        ],
    ];
    for (const [what, entries, message] of refusals) {
        it(`refuses ${what} and writes nothing outside the target`, async () => {
            const out = path.join(tmp, "out");
            await assert.rejects(extractTarGz(archive(tmp, ...entries()), out), message);
            assert.equal(fs.existsSync(path.join(tmp, "evil")), false);
            assert.equal(fs.existsSync(path.join(out, "link")), false);
            assert.equal(fs.existsSync(path.join(out, "harmless")), false);
            assert.equal(fs.existsSync(path.join(out, "innocent")), false);
        });
    }

    it("refuses a gzip stream cut short, and leaves nothing outside the target", async () => {
        const src = path.join(tmp, "model");
        fs.mkdirSync(src);
        fs.writeFileSync(path.join(src, "model.bin"), crypto.randomBytes(256 * 1024));
        const whole = fs.readFileSync(packModel(src, path.join(tmp, "archives")).archivePath);
        const cut = path.join(tmp, "cut.tar.gz");
        fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
        const out = path.join(tmp, "out");
        await assert.rejects(extractTarGz(cut, out), /model archive ".*cut\.tar\.gz" is truncated \(the gzip stream ends early: .+\)/);
        assert.deepEqual(fs.readdirSync(tmp).sort(), ["archives", "cut.tar.gz", "model", "out"]);
    });

    it("the container's readers unpack what packModel packs: GNU tar and Python's tarfile with the 'data' filter", () => {
        const src = path.join(tmp, "model");
        fs.mkdirSync(path.join(src, "code", "empty"), { recursive: true });
        fs.writeFileSync(path.join(src, "model.joblib"), crypto.randomBytes(1000));
        fs.writeFileSync(path.join(src, "code", `${"l".repeat(150)}.py`), "x = 1\n");
        fs.writeFileSync(path.join(src, "données.txt"), "é");
        const archive = packModel(src, path.join(tmp, "archives")).archivePath;
        const gnu = path.join(tmp, "gnu");
        fs.mkdirSync(gnu);
        const tar = spawnSync("tar", ["-xzf", archive, "-C", gnu], { encoding: "utf8" });
        assert.equal(tar.status, 0, tar.stderr);
        const py = path.join(tmp, "py");
        const script = "import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t: t.extractall(sys.argv[2], filter='data')";
        const python = spawnSync("python3", ["-c", script, archive, py], { encoding: "utf8" });
        assert.equal(python.status, 0, python.stderr);
        for (const out of [gnu, py]) {
            assert.deepEqual(fs.readFileSync(path.join(out, "model.joblib")), fs.readFileSync(path.join(src, "model.joblib")));
            assert.equal(fs.readFileSync(path.join(out, "code", `${"l".repeat(150)}.py`), "utf8"), "x = 1\n");
            assert.equal(fs.readFileSync(path.join(out, "données.txt"), "utf8"), "é");
            assert.ok(fs.statSync(path.join(out, "code", "empty")).isDirectory());
        }
    });

    it("refuses a damaged header and a truncated archive", async () => {
        const good = entry("a.txt", "0", "hello");
        const damaged = Buffer.from(good);
        damaged[0] = "b".charCodeAt(0);
        await assert.rejects(extractTarGz(archive(tmp, damaged), path.join(tmp, "o1")), /checksum/);
        const truncated = path.join(tmp, "t.tar.gz");
        fs.writeFileSync(truncated, zlib.gzipSync(good.subarray(0, 512)));
        await assert.rejects(extractTarGz(truncated, path.join(tmp, "o2")), /truncated/);
        const notGzip = path.join(tmp, "n.tar.gz");
        fs.writeFileSync(notGzip, "plain text");
        await assert.rejects(extractTarGz(notGzip, path.join(tmp, "o3")), /gzip/);
    });
});
