/**
 * Unpacks model archives (gzip + tar) with node-tar, streamed, and stricter than node-tar alone: only
 * regular files and directories are written, and only below the target directory. Absolute paths,
 * `..`, links, devices, FIFOs and oversized metadata are refused outright rather than skipped, because
 * an archive from somewhere else must never write outside the directory it is unpacked into, and a
 * model that unpacks differently from how it was packed should fail loudly.
 */
import * as fs from "fs";
import { ReadEntry, Unpack } from "tar";

/** PAX and GNU long-name records are metadata; anything larger is not a real archive. */
const MAX_META_BYTES = 1024 * 1024;
const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const REFUSED_TYPES: { [type: string]: string } = {
    Link: "a hard link",
    SymbolicLink: "a symbolic link",
    CharacterDevice: "a device",
    BlockDevice: "a device",
    FIFO: "a FIFO",
};

export class ArchiveError extends Error {
    constructor(archivePath: string, problem: string) {
        super(`model archive "${archivePath}" ${problem}`);
        this.name = "ArchiveError";
    }
}

/** Unpacks `archivePath` (a `.tar.gz`) into `destDir`, which is created if needed. Returns the number of files written. */
export async function extractTarGz(archivePath: string, destDir: string): Promise<number> {
    assertGzip(archivePath);
    fs.mkdirSync(destDir, { recursive: true });
    let files = 0;
    let refusal: ArchiveError | undefined;
    const refuse = (problem: string): false => {
        if (!refusal) {
            refusal = new ArchiveError(archivePath, problem);
            unpack.abort(refusal);
        }
        return false;
    };
    const unpack = new Unpack({
        cwd: fs.realpathSync(destDir),
        strict: true,
        preservePaths: false,
        // As root node-tar would otherwise give files the archive's owner ids.
        preserveOwner: false,
        maxMetaEntrySize: MAX_META_BYTES,
        // Models often hold long runs of zeros (dense arrays of sparse weights) that gzip ~1000:1; SageMaker unpacks
        // them, so the twin must too. node-tar's zip-bomb ratio check would refuse them.
        maxDecompressionRatio: Infinity,
        // Called for every entry before anything of it is written.
        filter: (_path, entry) => {
            const problem = refusalOf(entry as ReadEntry);
            if (problem) return refuse(problem);
            const e = entry as ReadEntry;
            if (FILE_TYPES.has(e.type)) files++;
            // Only the owner's executable bit is kept, as the packer does: no setuid, no world-writable files.
            e.mode = e.type === "Directory" || (e.mode ?? 0) & 0o100 ? 0o755 : 0o644;
            return true;
        },
    });
    unpack.on("ignoredEntry", (entry: ReadEntry) => {
        if (entry.meta && entry.size > MAX_META_BYTES) refuse(`has an oversized metadata entry (${entry.size} bytes); refused`);
    });
    try {
        await new Promise<void>((resolve, reject) => {
            const input = fs.createReadStream(archivePath);
            input.on("error", reject);
            unpack.on("error", reject);
            unpack.on("close", resolve);
            input.pipe(unpack);
        });
    } catch (err) {
        throw refusal ?? new ArchiveError(archivePath, describe(err as Error & { code?: string; tarCode?: string }));
    }
    if (refusal) throw refusal;
    if (files === 0) {
        throw new ArchiveError(archivePath, "contains no files");
    }
    return files;
}

/** Why an entry may not be unpacked, or undefined when it may. */
function refusalOf(entry: ReadEntry): string | undefined {
    const name = String(entry.path);
    if (REFUSED_TYPES[entry.type]) {
        return `contains ${REFUSED_TYPES[entry.type]} "${name}"; links, devices and FIFOs are refused`;
    }
    if (!FILE_TYPES.has(entry.type) && entry.type !== "Directory") {
        return `contains "${name}" of unsupported tar type "${entry.type}"`;
    }
    if (name.startsWith("/") || /^[A-Za-z]:/.test(name) || name.includes("\\") || name.includes("\0")) {
        return `contains an absolute or unusual path "${name}"; refused`;
    }
    if (name.split("/").includes("..")) {
        return `contains a path with ".." ("${name}"); refused`;
    }
    return undefined;
}

function assertGzip(archivePath: string): void {
    const magic = Buffer.alloc(2);
    const fd = fs.openSync(archivePath, "r");
    try {
        fs.readSync(fd, magic, 0, 2, 0);
    } finally {
        fs.closeSync(fd);
    }
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
        throw new ArchiveError(archivePath, "cannot be read as gzip (no gzip header); expected a model.tar.gz");
    }
}

/** node-tar's and zlib's errors, in words that say what is wrong with the archive. */
function describe(err: Error & { code?: string; tarCode?: string }): string {
    const message = err.message.replace(/^TAR_[A-Z_]+: /, "");
    if (/unexpected end of file/i.test(message)) return `is truncated (the gzip stream ends early: ${message})`;
    if (/truncated|unexpected eof/i.test(message)) return `is truncated (${message})`;
    if (/checksum/.test(message)) return `has a damaged tar header (${message})`;
    if (err.code?.startsWith("Z_") || message.startsWith("zlib:")) return `cannot be read as gzip (${message})`;
    return `cannot be unpacked (${message})`;
}
