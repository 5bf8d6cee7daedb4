import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cacheKey, lookup, remember, settled, statFingerprint } from "./cache";
import { writeArchive } from "./writer";

/** A model archive on local disk, named by the SHA-256 of its bytes. */
export interface PackedModel {
    /** Absolute path of the `.tar.gz` file. */
    archivePath: string;
    /** Hex SHA-256 of the archive bytes: the same content always gives the same hash. */
    sha256: string;
    /** Size of the archive in bytes. */
    size: number;
}

// A fixed, non-zero timestamp (2020-01-01T00:00:00Z) for every file; node-tar's portable mode gives directories none.
const FIXED_MTIME = new Date(Date.UTC(2020, 0, 1));
/** Python's `tarfile` default for `.tar.gz`, and what this package has always used. */
const GZIP_LEVEL = 9;
/** Read files in slices this big: memory stays flat whatever the model's size. */
const READ_SLICE = 4 * 1024 * 1024; // not a data-path fact: a read buffer, not a payload limit
/**
 * Changes whenever this module's output bytes would change (format options, node-tar version), so that
 * an archive cached by an older version is never mistaken for what this one packs.
 */
const FORMAT = `modelapi-archive-1 tar@${tarVersion()} gzip-${GZIP_LEVEL}`;

/**
 * Packs a model directory, or takes a ready `.tar.gz`, and returns where the archive is and its hash.
 *
 * A directory is packed deterministically, streamed (memory does not grow with the model), into a
 * content-addressed file under `outDir` (default: the system temp directory): the same files always
 * give the same bytes and the same path. An unchanged directory is not packed again: the archive
 * written last time is returned, as long as that file is still there untouched. A ready archive is
 * used as is, hashed once per change of the file.
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
        return packDirectory(resolved, path.resolve(outDir));
    }
    if (stat.isFile() && /\.tar\.gz$|\.tgz$/.test(resolved)) {
        return describeReadyArchive(resolved, stat, path.resolve(outDir));
    }
    throw new Error(`model path "${source}" must be a directory or a .tar.gz file`);
}

/**
 * Returns the `.tar.gz` bytes {@link packModel} writes for a directory.
 *
 * @deprecated Holds the whole archive in memory, which a model of several GB does not fit in; use
 * {@link packModel}, which streams to a file, and read that file if you need the bytes.
 */
export function tarGzDirectory(dir: string): Buffer {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-archive-"));
    try {
        const archive = path.join(scratch, "model.tar.gz");
        writeTarGz(path.resolve(dir), listEntries(path.resolve(dir)), archive);
        return fs.readFileSync(archive);
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** @internal */
export function defaultArchiveDir(): string {
    return path.join(os.tmpdir(), "modelapi-archives");
}

interface Entry {
    /** Path inside the archive, `/`-separated; directories end with `/`. */
    tarPath: string;
    stat: fs.Stats;
}

function packDirectory(dir: string, outDir: string): PackedModel {
    const startedAt = Date.now();
    const entries = listEntries(dir);
    const key = directoryKey(entries);
    const cacheDir = path.join(outDir, "index");
    const cached = lookup(cacheDir, key);
    if (cached) {
        return cached;
    }
    fs.mkdirSync(outDir, { recursive: true });
    // Write under a temporary name, then rename: a concurrent or interrupted run never leaves half an archive.
    const partial = path.join(outDir, `.${process.pid}-${crypto.randomBytes(6).toString("hex")}.partial`);
    let written: { sha256: string; size: number };
    try {
        written = writeTarGz(dir, entries, partial);
        if (directoryKey(listEntries(dir)) !== key) {
            throw new Error(`model directory "${dir}" changed while it was being packed; pack it again once it is complete`);
        }
    } catch (err) {
        fs.rmSync(partial, { force: true });
        throw err;
    }
    const archivePath = path.join(outDir, `${written.sha256}.tar.gz`);
    fs.renameSync(partial, archivePath);
    const packed = { archivePath, ...written };
    if (
        settled(
            entries.map((e) => e.stat),
            startedAt,
        )
    ) {
        remember(cacheDir, key, packed);
    }
    return packed;
}

/** Writes the deterministic archive of `entries` (already sorted) to `outPath`; see archive-worker.js for its shape. */
function writeTarGz(dir: string, entries: Entry[], outPath: string): { sha256: string; size: number } {
    if (!entries.some((e) => e.stat.isFile())) {
        throw new Error(`model directory "${dir}" contains no files`);
    }
    try {
        return writeArchive({
            dir,
            tarPaths: entries.map((e) => e.tarPath),
            outPath,
            mtimeMs: FIXED_MTIME.getTime(),
            gzipLevel: GZIP_LEVEL,
            readSize: READ_SLICE,
        });
    } catch (err) {
        // No { cause }: Pulumi's plugin host compiles these sources against a lib whose Error takes one argument.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(`model directory "${dir}" cannot be packed: ${(err as Error).message}`);
    }
}

/**
 * Every directory and file below `root`, sorted by the bytes of their names (not locale order, so every
 * machine agrees). Symbolic links and special files are refused: an archive that points outside itself
 * would unpack differently on every machine, and the reader refuses them anyway.
 */
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
                entries.push({ tarPath: `${relPath}/`, stat });
                walk(relPath);
            } else if (stat.isFile()) {
                entries.push({ tarPath: relPath, stat });
            } else {
                throw new Error(`model directory "${root}" contains "${relPath}", which is not a regular file or directory`);
            }
        }
    };
    walk("");
    return entries;
}

function compareBytes(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function directoryKey(entries: Entry[]): string {
    return cacheKey([FORMAT, "directory", ...entries.map((e) => `${JSON.stringify(e.tarPath)} ${statFingerprint(e.stat)}`)]);
}

function describeReadyArchive(archivePath: string, stat: fs.Stats, outDir: string): PackedModel {
    const startedAt = Date.now();
    const key = cacheKey([FORMAT, "ready", archivePath, statFingerprint(stat)]);
    const cacheDir = path.join(outDir, "index");
    const cached = lookup(cacheDir, key);
    if (cached && cached.archivePath === archivePath) {
        return cached;
    }
    const hash = crypto.createHash("sha256");
    let size = 0;
    readInSlices(archivePath, (slice) => {
        if (size === 0 && (slice.length < 2 || slice[0] !== 0x1f || slice[1] !== 0x8b)) {
            throw new Error(`model archive "${archivePath}" is not gzip-compressed; expected a model.tar.gz`);
        }
        hash.update(slice);
        size += slice.length;
    });
    if (size === 0) {
        throw new Error(`model archive "${archivePath}" is not gzip-compressed; expected a model.tar.gz`);
    }
    const packed = { archivePath, sha256: hash.digest("hex"), size };
    if (statFingerprint(fs.statSync(archivePath)) === statFingerprint(stat) && settled([stat], startedAt)) {
        remember(cacheDir, key, packed);
    }
    return packed;
}

function readInSlices(file: string, onSlice: (slice: Buffer) => void): void {
    const fd = fs.openSync(file, "r");
    try {
        const buffer = Buffer.allocUnsafe(READ_SLICE);
        for (;;) {
            const read = fs.readSync(fd, buffer, 0, buffer.length, null);
            if (read === 0) return;
            onSlice(buffer.subarray(0, read));
        }
    } finally {
        fs.closeSync(fd);
    }
}

function tarVersion(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json is data, read where needed
    return (require("tar/package.json") as { version: string }).version;
}
