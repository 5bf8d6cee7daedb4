// The archive writer's worker thread (core/archive/writer.ts): streams the deterministic `.tar.gz` of a list of
// entries to a file with node-tar and hashes it on the way. Plain JavaScript in a file of its own, loaded by
// path, so that no loader or transpiler that rewrites the caller's TypeScript (tsx, esbuild's keepNames,
// coverage instrumentation) changes what runs here.
//
// It talks to the waiting thread through `state`, an Int32Array on shared memory (the indexes below, which
// writer.ts uses too), and one message on `port`: the answer.
//
// Archive shape (node-tar's `portable` mode plus a normalised stat): files 0644, or 0755 when executable for
// their owner; directories 0755; a fixed mtime; no owner ids or names, no access or change times; hard links
// stored as plain files; a gzip header with neither time nor build OS.
"use strict";

const { workerData } = require("worker_threads");

/** state[DONE] is set to 1, and notified, once the answer is on the port. */
const DONE = 0;
/** state[CHUNKS] counts the archive's chunks written: the waiting thread tells slow from stuck by it. */
const CHUNKS = 1;
/** state[ALIVE] counts signs of life: the first one is the start handshake, then a beat every HEARTBEAT_MS. */
const ALIVE = 2;
const HEARTBEAT_MS = 250;

const { job, tarModule, port, state } = workerData;
let answered = false;

function answer(message) {
    if (answered) return;
    answered = true;
    port.postMessage(message);
    Atomics.store(state, DONE, 1);
    Atomics.notify(state, DONE);
}

function messageOf(err) {
    return err && typeof err.message === "string" ? err.message : String(err);
}

// Whatever goes wrong from here on, the waiting thread hears of it at once, with the error.
process.on("uncaughtException", (err) => answer({ error: messageOf(err) }));
process.on("unhandledRejection", (err) => answer({ error: messageOf(err) }));
process.on("exit", (code) => answer({ error: `the archive worker exited (code ${code}) before the archive was written` }));

Atomics.add(state, ALIVE, 1);
setInterval(() => Atomics.add(state, ALIVE, 1), HEARTBEAT_MS).unref();

async function pack() {
    const fs = require("fs");
    const path = require("path");
    const crypto = require("crypto");
    const { Pack } = require(tarModule);
    let out;
    try {
        // node-tar takes each entry's stat from this cache: the mode and link count are what the archive records.
        const statCache = new Map();
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
            Atomics.add(state, ALIVE, 1);
        }
        const archive = new Pack({
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
        await new Promise((resolve, reject) => {
            archive.on("error", reject);
            file.on("error", reject);
            file.on("close", resolve);
            archive.on("data", (chunk) => {
                hash.update(chunk);
                size += chunk.length;
                Atomics.add(state, CHUNKS, 1);
                Atomics.add(state, ALIVE, 1);
                if (!file.write(chunk)) {
                    archive.pause();
                    file.once("drain", () => archive.resume());
                }
            });
            archive.on("end", () => file.end());
            for (const tarPath of job.tarPaths) {
                archive.add(tarPath);
            }
            archive.end();
        });
        answer({ sha256: hash.digest("hex"), size });
    } catch (err) {
        if (out) out.destroy();
        answer({ error: messageOf(err) });
    }
}

pack().catch((err) => answer({ error: messageOf(err) }));
