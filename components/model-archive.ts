import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";

/** A model archive on local disk, named by the SHA-256 of its bytes. */
export interface PackedModel {
    /** Absolute path of the `.tar.gz` file. */
    archivePath: string;
    /** Hex SHA-256 of the archive bytes: the same content always gives the same hash. */
    sha256: string;
    /** Size of the archive in bytes. */
    size: number;
}

const BLOCK = 512;
// A fixed, non-zero timestamp (2020-01-01T00:00:00Z): some tar readers warn on mtime 0.
const FIXED_MTIME = 1577836800;
const GZIP_OS_UNIX = 3;

/**
 * Packs a model directory, or takes a ready `.tar.gz`, and returns where the archive is and its hash.
 *
 * A directory is packed deterministically (see {@link tarGzDirectory}) into a content-addressed file
 * under `outDir` (default: the system temp directory), so packing the same directory twice yields the
 * same bytes and the same path.
 */
export function packModel(source: string, outDir: string = defaultArchiveDir()): PackedModel {
    const resolved = path.resolve(source);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(resolved);
    } catch {
        throw new Error(`model path "${source}" does not exist`);
    }
    if (stat.isDirectory()) {
        return writeContentAddressed(tarGzDirectory(resolved), outDir);
    }
    if (stat.isFile() && /\.tar\.gz$|\.tgz$/.test(resolved)) {
        return describeReadyArchive(resolved);
    }
    throw new Error(`model path "${source}" must be a directory or a .tar.gz file`);
}

/**
 * Returns the deterministic `.tar.gz` bytes of a directory: entries sorted by path, directories 0755,
 * files 0644 (0755 when executable for their owner), fixed mtime, uid/gid 0, no user or group names,
 * and a gzip header without a timestamp. Symbolic links and special files are refused, since a model
 * archive that points outside itself would unpack differently on every machine.
 */
export function tarGzDirectory(dir: string): Buffer {
    const entries = listEntries(dir);
    if (!entries.some((e) => e.kind === "file")) {
        throw new Error(`model directory "${dir}" contains no files`);
    }
    const blocks: Buffer[] = [];
    for (const entry of entries) {
        const data = entry.kind === "file" ? fs.readFileSync(path.join(dir, entry.relPath)) : Buffer.alloc(0);
        const name = entry.kind === "dir" ? `${entry.relPath}/` : entry.relPath;
        blocks.push(...headerBlocks(name, entry.kind, entry.mode, data.length));
        if (data.length > 0) {
            blocks.push(data, Buffer.alloc(padding(data.length)));
        }
    }
    blocks.push(Buffer.alloc(BLOCK * 2));
    const gz = zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
    // zlib writes the build platform's OS code into the header; pin it so every platform agrees.
    gz[9] = GZIP_OS_UNIX;
    return gz;
}

/** @internal */
export function defaultArchiveDir(): string {
    return path.join(os.tmpdir(), "modelapi-archives");
}

interface Entry {
    relPath: string;
    kind: "file" | "dir";
    mode: number;
}

function listEntries(root: string): Entry[] {
    const entries: Entry[] = [];
    const walk = (relDir: string) => {
        const names = fs.readdirSync(path.join(root, relDir)).sort(compareBytes);
        for (const name of names) {
            const relPath = relDir ? `${relDir}/${name}` : name;
            const stat = fs.lstatSync(path.join(root, relPath));
            if (stat.isSymbolicLink()) {
                throw new Error(`model directory "${root}" contains a symbolic link "${relPath}"; copy the file in instead`);
            }
            if (stat.isDirectory()) {
                entries.push({ relPath, kind: "dir", mode: 0o755 });
                walk(relPath);
            } else if (stat.isFile()) {
                entries.push({ relPath, kind: "file", mode: stat.mode & 0o100 ? 0o755 : 0o644 });
            } else {
                throw new Error(`model directory "${root}" contains "${relPath}", which is not a regular file or directory`);
            }
        }
    };
    walk("");
    return entries;
}

// Byte order, not locale order, so every machine sorts the same way.
function compareBytes(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function headerBlocks(name: string, kind: "file" | "dir", mode: number, size: number): Buffer[] {
    const nameBytes = Buffer.from(name);
    if (nameBytes.length <= 100) {
        return [ustarHeader(name, kind, mode, size)];
    }
    // Long names go into a PAX extended header; the ustar name keeps a truncated, still deterministic form.
    const record = paxRecord("path", name);
    const pax = ustarHeader(`PaxHeaders/${crypto.createHash("sha256").update(name).digest("hex").slice(0, 32)}`, "pax", 0o644, record.length);
    return [pax, record, Buffer.alloc(padding(record.length)), ustarHeader(truncateName(name), kind, mode, size)];
}

function paxRecord(key: string, value: string): Buffer {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body);
    // The record starts with its own length in decimal, and that length counts its own digits.
    let length = bodyLength + 1;
    while (String(length).length + bodyLength !== length) {
        length = String(length).length + bodyLength;
    }
    return Buffer.from(`${length}${body}`);
}

function truncateName(name: string): string {
    let bytes = Buffer.from(name);
    while (bytes.length > 100) {
        name = name.slice(1);
        bytes = Buffer.from(name);
    }
    return name;
}

function ustarHeader(name: string, kind: "file" | "dir" | "pax", mode: number, size: number): Buffer {
    const header = Buffer.alloc(BLOCK);
    header.write(name, 0, 100, "utf8");
    writeOctal(header, mode, 100, 8);
    writeOctal(header, 0, 108, 8); // uid
    writeOctal(header, 0, 116, 8); // gid
    writeOctal(header, size, 124, 12);
    writeOctal(header, FIXED_MTIME, 136, 12);
    header.write(" ".repeat(8), 148, 8, "ascii"); // checksum field counts as spaces while summing
    header.write(kind === "dir" ? "5" : kind === "pax" ? "x" : "0", 156, 1, "ascii");
    header.write("ustar\u000000", 257, 8, "binary");
    let sum = 0;
    for (const byte of header) {
        sum += byte;
    }
    header.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "binary");
    return header;
}

function writeOctal(header: Buffer, value: number, offset: number, width: number): void {
    header.write(`${value.toString(8).padStart(width - 1, "0")}\u0000`, offset, width, "binary");
}

function padding(length: number): number {
    return (BLOCK - (length % BLOCK)) % BLOCK;
}

function writeContentAddressed(bytes: Buffer, outDir: string): PackedModel {
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    const archivePath = path.join(outDir, `${sha256}.tar.gz`);
    if (!fs.existsSync(archivePath)) {
        fs.mkdirSync(outDir, { recursive: true });
        // Write then rename, so a concurrent or interrupted run never leaves a half-written archive.
        const partial = `${archivePath}.${process.pid}.partial`;
        fs.writeFileSync(partial, bytes);
        fs.renameSync(partial, archivePath);
    }
    return { archivePath, sha256, size: bytes.length };
}

function describeReadyArchive(archivePath: string): PackedModel {
    const bytes = fs.readFileSync(archivePath);
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
        throw new Error(`model archive "${archivePath}" is not gzip-compressed; expected a model.tar.gz`);
    }
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    return { archivePath, sha256, size: bytes.length };
}
