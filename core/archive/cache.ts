/**
 * @internal Remembers which archive a model directory (or ready archive) gave, so that an unchanged
 * multi-GB model is not read, gzipped and hashed again on every `pulumi preview` and `up`.
 *
 * The key is the stat of every file (path, size, mtime, ctime, inode, device, executable bit): any write,
 * rename, copy or chmod changes it, and a changed key simply means packing again. An entry is trusted
 * only while the archive it names is still the very file that was written (same size, inode and times),
 * and entries are never written for files changed in the last {@link SETTLE_MS}, since a second write in
 * the same timestamp tick would leave size and mtime as they were.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Files changed this recently are not cached: coarse filesystem clocks (FAT: 2 s) could hide a rewrite. */
export const SETTLE_MS = 2000;

/** What the cache keeps for one key. */
export interface CachedArchive {
    sha256: string;
    size: number;
    archivePath: string;
}

interface Record extends CachedArchive {
    /** The archive file as it was written; a different file at that path is not trusted. */
    file: FileIdentity;
}

interface FileIdentity {
    size: number;
    ino: number;
    mtimeMs: number;
    ctimeMs: number;
}

/** The part of a file's stat that says whether it may have changed. */
export function statFingerprint(stat: fs.Stats): string {
    return [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, stat.dev, stat.mode].join(":");
}

/** A cache key from any number of fingerprint lines. */
export function cacheKey(lines: string[]): string {
    const hash = crypto.createHash("sha256");
    for (const line of lines) hash.update(line).update("\n");
    return hash.digest("hex");
}

/** True when every stat is older than {@link SETTLE_MS} before `startedAt`, so that caching it is safe. */
export function settled(stats: fs.Stats[], startedAt: number): boolean {
    return stats.every((s) => s.mtimeMs < startedAt - SETTLE_MS && s.ctimeMs < startedAt - SETTLE_MS);
}

export function lookup(cacheDir: string, key: string): CachedArchive | undefined {
    let record: Record;
    try {
        record = JSON.parse(fs.readFileSync(recordPath(cacheDir, key), "utf8"));
    } catch {
        return undefined;
    }
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(record.archivePath);
    } catch {
        return undefined;
    }
    const now = identity(stat);
    const same = stat.isFile() && (Object.keys(now) as Array<keyof FileIdentity>).every((k) => record.file?.[k] === now[k]);
    return same ? { sha256: record.sha256, size: record.size, archivePath: record.archivePath } : undefined;
}

export function remember(cacheDir: string, key: string, archive: CachedArchive): void {
    const record: Record = { ...archive, file: identity(fs.lstatSync(archive.archivePath)) };
    fs.mkdirSync(cacheDir, { recursive: true });
    // Write then rename: a reader sees the old record or the new one, never half of one.
    const partial = `${recordPath(cacheDir, key)}.${process.pid}.partial`;
    fs.writeFileSync(partial, JSON.stringify(record));
    fs.renameSync(partial, recordPath(cacheDir, key));
}

function recordPath(cacheDir: string, key: string): string {
    return path.join(cacheDir, `${key}.json`);
}

function identity(stat: fs.Stats): FileIdentity {
    return { size: stat.size, ino: stat.ino, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
}
