/**
 * @internal Writes the deterministic `.tar.gz` of a list of entries to a file, streamed, and hashes it on the way.
 *
 * node-tar streams only in its asynchronous mode (its synchronous mode holds each whole file in memory
 * before passing it on), while `packModel` must stay synchronous: a Pulumi component decides its S3 key
 * in its constructor. So the asynchronous pack runs in a worker thread (archive-worker.js, plain JavaScript
 * beside this module, so no transpiler of the caller's code touches it) and this thread waits for it, exactly
 * as long as a synchronous pack would take, with memory bounded by node-tar's read size.
 *
 * While this thread waits, none of the worker's events ('error', 'exit') can be delivered, so the worker
 * reports through shared memory: an answer flag, a count of chunks written, and a heartbeat whose first beat
 * is the start handshake. An error in the worker comes back at once with its message; a worker that dies
 * without a word (killed, out of memory) is noticed when its heartbeat stops.
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { MessageChannel, receiveMessageOnPort, Worker } from "worker_threads";

/** The worker's file: shipped beside this module, in the sources and in dist/ (package.json's build copies it). */
const WORKER_FILE = path.join(__dirname, "archive-worker.js");

/** Indexes of the shared state, as archive-worker.js writes them. */
const DONE = 0;
const CHUNKS = 1;
const ALIVE = 2;

/** How often this thread looks at the worker's state while it waits. */
const POLL_MS = 250;
/** Longest wait for the worker's start handshake: a worker thread starts in well under a second. */
const START_MS = 30_000;
/** Longest silence of a started worker, which beats every 250 ms even while its disk is slow. */
const SILENCE_MS = 15_000;
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

/**
 * Writes `job.outPath` and returns its hash and size; throws what went wrong in the worker. `workerFile` is for
 * tests that stand in for the worker.
 */
export function writeArchive(job: ArchiveJob, workerFile: string = WORKER_FILE): WrittenArchive {
    if (!fs.existsSync(workerFile)) {
        throw new Error(`the archive worker ${workerFile} is missing; reinstall the package`);
    }
    const state = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(workerFile, {
        workerData: { job, tarModule: require.resolve("tar"), port: port2, state },
        transferList: [port2],
    });
    // Delivered only once this thread stops waiting, after the outcome is known: they must not crash the host.
    worker.on("error", () => undefined);
    worker.unref();
    try {
        waitForAnswer(state);
        const reply = receiveMessageOnPort(port1)?.message as (WrittenArchive & { error?: string }) | undefined;
        if (!reply || reply.error !== undefined) {
            throw new Error(reply?.error ?? "the archive worker stopped without an answer");
        }
        return { sha256: reply.sha256, size: reply.size };
    } catch (err) {
        void worker.terminate();
        throw err;
    } finally {
        port1.close();
    }
}

/** Blocks until the worker has answered; throws when it does not start, goes silent, or writes nothing for too long. */
function waitForAnswer(state: Int32Array): void {
    let alive = 0;
    let chunks = 0;
    let aliveAt = performance.now();
    let chunksAt = aliveAt;
    while (Atomics.wait(state, DONE, 0, POLL_MS) === "timed-out") {
        const now = performance.now();
        if (Atomics.load(state, ALIVE) !== alive) {
            alive = Atomics.load(state, ALIVE);
            aliveAt = now;
        }
        if (Atomics.load(state, CHUNKS) !== chunks) {
            chunks = Atomics.load(state, CHUNKS);
            chunksAt = now;
        }
        if (alive === 0 && now - aliveAt > START_MS) {
            throw new Error(`the archive worker did not start within ${START_MS / 1000} s`);
        }
        if (alive > 0 && now - aliveAt > SILENCE_MS) {
            throw new Error(`the archive worker stopped before the archive was written: no sign of life for ${SILENCE_MS / 1000} s`);
        }
        if (now - chunksAt > STALL_MS) {
            throw new Error(
                `the archive worker wrote nothing for ${STALL_MS / 1000} s; is the disk full or the directory on a stalled mount?`,
            );
        }
    }
}
