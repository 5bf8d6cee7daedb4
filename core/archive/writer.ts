/**
 * @internal Writes the deterministic `.tar.gz` of a list of entries to a file, streamed, and hashes it on the way.
 *
 * node-tar streams only in its asynchronous mode (its synchronous mode holds each whole file in memory
 * before passing it on), while `packModel` must stay synchronous: a Pulumi component decides its S3 key
 * in its constructor. So the asynchronous pack runs in a worker thread and this thread waits for it,
 * exactly as long as a synchronous pack would take, with memory bounded by node-tar's read size.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "worker_threads";

/** Longest wait for the next chunk of the archive before the pack is given up as stuck. */
const STALL_MS = 120_000;

/** Everything the worker needs; plain data only, since it crosses to another thread. */
export interface ArchiveJob {
    /** The directory the entries are relative to. */
    dir: string;
    /** Paths inside the archive, in archive order; directories end with `/`. */
    tarPaths: string[];
    /** Where to write the archive; created exclusively, so it must not exist. */
    outPath: string;
    /** Every file's mtime in the archive, in ms since the epoch. */
    mtimeMs: number;
    gzipLevel: number;
    /** node-tar reads files in slices this big: the memory one pack needs. */
    readSize: number;
}

export interface WrittenArchive {
    sha256: string;
    size: number;
}

/** Writes `job.outPath` and returns its hash and size; throws what went wrong in the worker. */
export function writeArchive(job: ArchiveJob): WrittenArchive {
    // [0]: set to 1 when the worker has answered; [1]: counts the chunks written, to tell slow from stuck.
    const done = new Int32Array(new SharedArrayBuffer(8));
    const { port1, port2 } = new MessageChannel();
    const source = `(${packInWorker.toString()})(require("worker_threads").workerData)`;
    const worker = new Worker(source, {
        eval: true,
        workerData: { job, tarModule: require.resolve("tar"), port: port2, done },
        transferList: [port2],
    });
    worker.unref();
    let progress = -1;
    while (Atomics.wait(done, 0, 0, STALL_MS) === "timed-out") {
        // A worker that died without answering would leave this thread waiting forever.
        if (Atomics.load(done, 1) === progress) {
            void worker.terminate();
            throw new Error(
                `the archive worker wrote nothing for ${STALL_MS / 1000} s; is the disk full or the directory on a stalled mount?`,
            );
        }
        progress = Atomics.load(done, 1);
    }
    const reply = receiveMessageOnPort(port1)?.message as (WrittenArchive & { error?: string }) | undefined;
    port1.close();
    if (!reply || reply.error !== undefined) {
        throw new Error(reply?.error ?? "the archive worker stopped without an answer");
    }
    return { sha256: reply.sha256, size: reply.size };
}

interface WorkerInput {
    job: ArchiveJob;
    tarModule: string;
    port: import("worker_threads").MessagePort;
    done: Int32Array;
}

/**
 * Runs in the worker thread, from its source text: it may use nothing from this module's scope, only
 * what it `require`s itself.
 *
 * Archive shape (node-tar's `portable` mode plus a normalised stat): files 0644, or 0755 when
 * executable for their owner; directories 0755; a fixed mtime; no owner ids or names, no access or
 * change times; hard links stored as plain files; a gzip header with neither time nor build OS.
 */
async function packInWorker({ job, tarModule, port, done }: WorkerInput): Promise<void> {
    // Runs from its source text in a worker: modules come from its own require, not from imports.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const crypto = require("crypto") as typeof import("crypto");
    const { Pack } = require(tarModule) as typeof import("tar");
    /* eslint-enable @typescript-eslint/no-require-imports */
    let out: import("fs").WriteStream | undefined;
    let answered = false;
    const answer = (message: object) => {
        if (answered) return;
        answered = true;
        port.postMessage(message);
        Atomics.store(done, 0, 1);
        Atomics.notify(done, 0);
    };
    // Whatever goes wrong, the waiting thread gets an answer.
    process.on("uncaughtException", (err) => answer({ error: err.message }));
    try {
        // node-tar takes each entry's stat from this cache: the mode and link count are what the archive records.
        const statCache = new Map<string, import("fs").Stats>();
        for (const tarPath of job.tarPaths) {
            const absolute = path.resolve(job.dir, tarPath);
            const stat = fs.lstatSync(absolute);
            if (!stat.isFile() && !stat.isDirectory()) {
                throw new Error(`"${tarPath}" is no longer a regular file or directory`);
            }
            const permissions = stat.isDirectory() || stat.mode & 0o100 ? 0o755 : 0o644;
            stat.mode = (stat.mode & fs.constants.S_IFMT) | permissions;
            stat.nlink = 1;
            statCache.set(absolute, stat);
        }
        const pack = new Pack({
            cwd: job.dir,
            portable: true,
            gzip: { level: job.gzipLevel },
            mtime: new Date(job.mtimeMs),
            noDirRecurse: true,
            strict: true,
            statCache,
            maxReadSize: job.readSize,
        });
        const file = (out = fs.createWriteStream(job.outPath, { flags: "wx" }));
        const hash = crypto.createHash("sha256");
        let size = 0;
        await new Promise<void>((resolve, reject) => {
            pack.on("error", reject);
            file.on("error", reject);
            file.on("close", resolve);
            pack.on("data", (chunk: Buffer) => {
                hash.update(chunk);
                size += chunk.length;
                Atomics.add(done, 1, 1);
                if (!file.write(chunk)) {
                    pack.pause();
                    file.once("drain", () => pack.resume());
                }
            });
            pack.on("end", () => file.end());
            for (const tarPath of job.tarPaths) {
                pack.add(tarPath);
            }
            pack.end();
        });
        answer({ sha256: hash.digest("hex"), size });
    } catch (err) {
        out?.destroy();
        answer({ error: (err as Error).message ?? String(err) });
    }
}
