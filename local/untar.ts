/**
 * A small, strict reader for model archives: gzip + tar (ustar, PAX `path`/`size`, GNU long names).
 * It writes only regular files and directories below the target directory. Absolute paths, `..`,
 * links, devices and FIFOs are refused, because an archive from somewhere else must never be able
 * to write outside the directory it is unpacked into.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

const BLOCK = 512;
/** PAX and GNU long-name records are metadata; anything larger is not a real archive. */
const MAX_META_BYTES = 1024 * 1024;

interface Header {
    name: string;
    mode: number;
    size: number;
    type: string;
}

/** Unpacks `archivePath` (a `.tar.gz`) into `destDir`, which is created if needed. Returns the number of files written. */
export async function extractTarGz(archivePath: string, destDir: string): Promise<number> {
    fs.mkdirSync(destDir, { recursive: true });
    const root = fs.realpathSync(destDir);
    const reader = new TarReader(archivePath, root);
    const gunzip = fs.createReadStream(archivePath).pipe(zlib.createGunzip());
    try {
        for await (const chunk of gunzip) {
            reader.push(chunk as Buffer);
        }
    } catch (err) {
        reader.abort();
        if (err instanceof ArchiveError) throw err;
        const e = err as NodeJS.ErrnoException;
        // zlib's errors carry Z_* codes; anything else happened while writing the files out.
        const problem = e.code?.startsWith("Z_") ? "cannot be read as gzip" : "cannot be unpacked";
        throw new ArchiveError(archivePath, `${problem} (${e.message})`);
    }
    return reader.finish();
}

export class ArchiveError extends Error {
    constructor(archivePath: string, problem: string) {
        super(`model archive "${archivePath}" ${problem}`);
        this.name = "ArchiveError";
    }
}

/** The tar state machine, fed with decompressed chunks. */
class TarReader {
    private pending: Buffer = Buffer.alloc(0);
    private current?: { header: Header; remaining: number; padding: number; fd?: number; meta?: Buffer[] };
    private nextName?: string;
    private nextSize?: number;
    private ended = false;
    private files = 0;

    constructor(
        private readonly archivePath: string,
        private readonly root: string,
    ) {}

    push(chunk: Buffer): void {
        this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
        while (!this.ended) {
            if (this.current) {
                if (!this.consumeData()) return;
            } else {
                if (this.pending.length < BLOCK) return;
                const block = this.pending.subarray(0, BLOCK);
                this.pending = this.pending.subarray(BLOCK);
                if (block.every((b) => b === 0)) {
                    // The first zero block marks the end; what follows is padding.
                    this.ended = true;
                    return;
                }
                this.begin(this.parseHeader(block));
            }
        }
    }

    finish(): number {
        if (!this.ended || this.current) {
            this.abort();
            throw new ArchiveError(this.archivePath, "is truncated (no end-of-archive marker)");
        }
        if (this.files === 0) {
            throw new ArchiveError(this.archivePath, "contains no files");
        }
        return this.files;
    }

    abort(): void {
        if (this.current?.fd !== undefined) {
            fs.closeSync(this.current.fd);
            this.current.fd = undefined;
        }
    }

    private fail(problem: string): never {
        this.abort();
        throw new ArchiveError(this.archivePath, problem);
    }

    private parseHeader(block: Buffer): Header {
        const stored = readOctal(block, 148, 8);
        let sum = 0;
        for (let i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? 0x20 : block[i];
        }
        if (stored !== sum) {
            this.fail("has a damaged tar header (checksum mismatch)");
        }
        let name = readString(block, 0, 100);
        const magic = block.toString("latin1", 257, 262);
        const prefix = magic === "ustar" ? readString(block, 345, 155) : "";
        if (prefix) name = `${prefix}/${name}`;
        const type = String.fromCharCode(block[156] || 0x30);
        let size = readSize(block);
        if (this.nextName !== undefined) {
            name = this.nextName;
            this.nextName = undefined;
        }
        if (this.nextSize !== undefined) {
            size = this.nextSize;
            this.nextSize = undefined;
        }
        return { name, mode: readOctal(block, 100, 8), size, type };
    }

    private begin(header: Header): void {
        const padding = (BLOCK - (header.size % BLOCK)) % BLOCK;
        switch (header.type) {
            case "x": // PAX extended header for the next entry
            case "g": // PAX global header: nothing in it matters for unpacking
            case "L": // GNU long name for the next entry
                if (header.size > MAX_META_BYTES) this.fail(`has an oversized metadata entry (${header.size} bytes)`);
                this.current = { header, remaining: header.size, padding, meta: [] };
                return;
            case "0":
            case "7": {
                const target = this.safeTarget(header.name);
                fs.mkdirSync(path.dirname(target), { recursive: true });
                // O_NOFOLLOW: even if something raced a link into place, never write through it.
                const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, header.mode & 0o100 ? 0o755 : 0o644);
                this.files++;
                this.current = { header, remaining: header.size, padding, fd };
                return;
            }
            case "5":
                fs.mkdirSync(this.safeTarget(header.name), { recursive: true, mode: 0o755 });
                this.current = { header, remaining: header.size, padding };
                return;
            case "1":
            case "2":
            case "K":
                return this.fail(`contains a link "${header.name}"; links are refused`);
            case "3":
            case "4":
                return this.fail(`contains a device "${header.name}"; devices are refused`);
            case "6":
                return this.fail(`contains a FIFO "${header.name}"; FIFOs are refused`);
            default:
                return this.fail(`contains "${header.name}" of unsupported tar type "${header.type}"`);
        }
    }

    /** Copies entry data from `pending`; returns false when more input is needed. */
    private consumeData(): boolean {
        const entry = this.current!;
        if (entry.remaining > 0) {
            const take = Math.min(entry.remaining, this.pending.length);
            if (take === 0) return false;
            const data = this.pending.subarray(0, take);
            this.pending = this.pending.subarray(take);
            entry.remaining -= take;
            if (entry.fd !== undefined) {
                fs.writeSync(entry.fd, data);
            } else if (entry.meta) {
                entry.meta.push(Buffer.from(data));
            }
            if (entry.remaining > 0) return false;
        }
        if (entry.padding > 0) {
            const skip = Math.min(entry.padding, this.pending.length);
            this.pending = this.pending.subarray(skip);
            entry.padding -= skip;
            if (entry.padding > 0) return false;
        }
        if (entry.fd !== undefined) fs.closeSync(entry.fd);
        if (entry.meta) this.applyMeta(entry.header.type, Buffer.concat(entry.meta));
        this.current = undefined;
        return true;
    }

    private applyMeta(type: string, data: Buffer): void {
        if (type === "L") {
            this.nextName = data.toString("utf8").replace(/\0+$/, "");
            return;
        }
        if (type !== "x") return;
        for (const [key, value] of parsePax(data, (problem) => this.fail(problem))) {
            if (key === "path") this.nextName = value;
            if (key === "size") this.nextSize = Number(value);
            if (key === "linkpath") this.fail(`contains a link to "${value}"; links are refused`);
        }
    }

    /** The absolute path an entry may be written to, or a refusal. */
    private safeTarget(name: string): string {
        const clean = name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
        if (clean === "" || clean === ".") {
            return this.root;
        }
        if (clean.startsWith("/") || /^[A-Za-z]:/.test(clean) || clean.includes("\\") || clean.includes("\0")) {
            this.fail(`contains an absolute or unusual path "${name}"; refused`);
        }
        if (clean.split("/").some((part) => part === "..")) {
            this.fail(`contains a path with ".." ("${name}"); refused`);
        }
        const target = path.resolve(this.root, clean);
        if (target !== this.root && !target.startsWith(this.root + path.sep)) {
            this.fail(`contains "${name}", which points outside the archive; refused`);
        }
        return target;
    }
}

/** PAX records: "<length> <key>=<value>\n", the length counting the whole record. */
function parsePax(data: Buffer, fail: (problem: string) => never): Array<[string, string]> {
    const records: Array<[string, string]> = [];
    let offset = 0;
    while (offset < data.length) {
        const space = data.indexOf(0x20, offset);
        const length = Number(data.toString("ascii", offset, space));
        if (space < 0 || !Number.isInteger(length) || length <= 0 || offset + length > data.length) {
            fail("has a malformed PAX header");
        }
        const record = data.toString("utf8", space + 1, offset + length - 1);
        const eq = record.indexOf("=");
        if (eq > 0) records.push([record.slice(0, eq), record.slice(eq + 1)]);
        offset += length;
    }
    return records;
}

function readString(block: Buffer, offset: number, length: number): string {
    const field = block.subarray(offset, offset + length);
    const end = field.indexOf(0);
    return field.toString("utf8", 0, end < 0 ? length : end);
}

function readOctal(block: Buffer, offset: number, length: number): number {
    const text = block.toString("latin1", offset, offset + length).replace(/[\0 ]+$/, "").trim();
    return text === "" ? 0 : parseInt(text, 8);
}

/** Sizes over 8 GiB use GNU's base-256 form (high bit set); the rest are octal. */
function readSize(block: Buffer): number {
    if (block[124] & 0x80) {
        let value = 0;
        for (let i = 125; i < 136; i++) value = value * 256 + block[i];
        return value;
    }
    return readOctal(block, 124, 12);
}
