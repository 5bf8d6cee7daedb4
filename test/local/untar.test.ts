import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { packModel } from "../../components/model-archive";
import { extractTarGz } from "../../local/untar";

/** One hand-made ustar entry, for archives the packer would never write. */
function entry(name: string, type: string, data = "", extra: { linkname?: string } = {}): Buffer {
    const body = Buffer.from(data);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, "utf8");
    header.write("0000644\0", 100, 8, "latin1");
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
        const packed = packModel(src, path.join(tmp, "archives"));

        const out = path.join(tmp, "out");
        const files = await extractTarGz(packed.archivePath, out);

        assert.equal(files, 5);
        assert.deepEqual(fs.readFileSync(path.join(out, "model.joblib")), Buffer.from([0, 1, 2, 255]));
        assert.equal(fs.readFileSync(path.join(out, "code", longDir, `${"f".repeat(70)}.txt`), "utf8"), "long");
        assert.equal(fs.readFileSync(path.join(out, "empty"), "utf8"), "");
        assert.equal(fs.statSync(path.join(out, "run.sh")).mode & 0o777, 0o755);
        assert.equal(fs.statSync(path.join(out, "model.joblib")).mode & 0o777, 0o644);
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
        ["a character device", () => [entry("dev", "3")], /device/],
        ["a FIFO", () => [entry("fifo", "6")], /FIFO/],
    ];
    for (const [what, entries, message] of refusals) {
        it(`refuses ${what} and writes nothing outside the target`, async () => {
            const out = path.join(tmp, "out");
            await assert.rejects(extractTarGz(archive(tmp, ...entries()), out), message);
            assert.equal(fs.existsSync(path.join(tmp, "evil")), false);
            assert.equal(fs.existsSync(path.join(out, "link")), false);
        });
    }

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
