/**
 * Model archive benchmark (not a test): packs a directory of incompressible data with `packModel`,
 * cold and then unchanged (served from the archive cache), and the same data with the hand-written
 * packer this package used before node-tar, taken from git history.
 *
 *   npm run bench:archive              (BENCH_ARCHIVE_MB=2048 by default)
 *
 * Each pack runs in its own plain `node` process (the code bundled by esbuild, no ts-node), which
 * reports its wall time and peak RSS (`process.resourceUsage().maxRSS`). The data lives in
 * `.bench/archive/` and is reused across runs; archives go to a temp directory removed at the end.
 * The old packer holds the whole model in memory several times over, so it only runs when the
 * machine has MemAvailable of at least 4× the data plus 2 GB; otherwise its row says so.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { SETTLE_MS } from "../core/archive/cache";

const ROOT = path.resolve(__dirname, "..");
const MB = 1024 * 1024;
const TOTAL_MB = bounded(process.env.BENCH_ARCHIVE_MB, 2048, 16384);
const DATA_DIR = path.join(ROOT, ".bench", "archive", `model-${TOTAL_MB}mb`);

interface Run {
    ms: number;
    maxRssMb: number;
    size: number;
    sha256: string;
}

function main(): void {
    const loadBefore = os.loadavg();
    makeData();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-bench-archive-"));
    try {
        // Bundles live inside the repository so that `tar` resolves from its node_modules, as in an installed package.
        const build = path.join(ROOT, ".bench", "archive", "build");
        const newBundle = bundle(path.join(ROOT, "core", "archive", "pack.ts"), path.join(build, "new.js"));
        const oldRef = oldPackerRef();
        const oldSource = path.join(ROOT, ".bench", "archive", "old-model-archive.ts");
        fs.writeFileSync(oldSource, execFileSync("git", ["show", `${oldRef}:components/model-archive.ts`], { cwd: ROOT }));
        const oldBundle = bundle(oldSource, path.join(build, "old.js"));

        const out = path.join(scratch, "out");
        const cold = pack(newBundle, out);
        const warm = pack(newBundle, out);
        const needMb = 4 * TOTAL_MB + 2048;
        const availableMb = memAvailableMb();
        let old: Run | undefined;
        let oldProblem = `not run: needs ${needMb} MB available, ${availableMb} MB are`;
        if (availableMb >= needMb) {
            try {
                old = pack(oldBundle, path.join(scratch, "old-out"));
            } catch (err) {
                oldProblem = `failed: ${(err as Error).message.split("\n").find((l) => /Error|RangeError/.test(l)) ?? (err as Error).message}`;
            }
        }
        const loadAfter = os.loadavg();

        const rate = (r: Run) => `${(TOTAL_MB / (r.ms / 1000)).toFixed(1)} MB/s`;
        const lines = [
            `data: ${TOTAL_MB} MiB of random bytes in ${fs.readdirSync(DATA_DIR, { recursive: true }).length} entries (${DATA_DIR})`,
            `machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / MB / 1024)} GiB RAM, Node ${process.version}`,
            `load average (1/5/15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
            `old packer: components/model-archive.ts at ${oldRef.slice(0, 12)}`,
            "",
            "| run | wall time | throughput | peak RSS | archive |",
            "|---|---|---|---|---|",
            `| packModel, first pack (node-tar, streamed) | ${(cold.ms / 1000).toFixed(2)} s | ${rate(cold)} | ${cold.maxRssMb} MB | ${cold.size} bytes |`,
            `| packModel, unchanged directory (archive cache) | ${(warm.ms / 1000).toFixed(2)} s | — | ${warm.maxRssMb} MB | same file: ${warm.sha256 === cold.sha256} |`,
            old
                ? `| old hand-written packer, same data | ${(old.ms / 1000).toFixed(2)} s | ${rate(old)} | ${old.maxRssMb} MB | ${old.size} bytes |`
                : `| old hand-written packer, same data | ${oldProblem} | | | |`,
        ];
        console.log(lines.join("\n"));
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** Incompressible files of several sizes in nested directories, written once and reused. */
function makeData(): void {
    const done = `${DATA_DIR}.complete`;
    if (fs.existsSync(done)) {
        return;
    }
    fs.rmSync(DATA_DIR, { recursive: true, force: true });
    fs.mkdirSync(DATA_DIR, { recursive: true });
    const chunk = Buffer.allocUnsafe(16 * MB);
    let left = TOTAL_MB;
    let index = 0;
    while (left > 0) {
        // Mostly large files, as boosted ensembles and forests are, plus a tail of small ones.
        const sizeMb = Math.min(left, left > 256 ? 256 : 16);
        const file = path.join(DATA_DIR, `part-${index % 3}`, `shard-${String(index).padStart(3, "0")}.bin`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const fd = fs.openSync(file, "w");
        for (let written = 0; written < sizeMb; written += 16) {
            crypto.randomFillSync(chunk);
            fs.writeSync(fd, chunk, 0, Math.min(16, sizeMb - written) * MB);
        }
        fs.closeSync(fd);
        left -= sizeMb;
        index++;
    }
    // The archive cache records only files that have been still for a while; a real model was trained earlier.
    const wait = Date.now() + SETTLE_MS + 200;
    while (Date.now() < wait) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    // Outside the model: the marker must not be part of what is packed.
    fs.writeFileSync(done, "");
}

function bundle(entry: string, outfile: string): string {
    buildSync({ entryPoints: [entry], outfile, bundle: true, platform: "node", target: "node20", external: ["tar"], logLevel: "error" });
    return outfile;
}

/**
 * The last commit whose packer was the hand-written one: the parent of the commit that removed its tar header writer.
 * The packer lived at components/model-archive.ts then (it is core/archive/pack.ts now).
 */
function oldPackerRef(): string {
    const commits = execFileSync("git", ["log", "--format=%H", "-S", "function ustarHeader", "--", "components/model-archive.ts"], {
        cwd: ROOT,
        encoding: "utf8",
    });
    const first = commits.trim().split("\n")[0];
    if (!first) {
        throw new Error("cannot find the commit that moved components/model-archive.ts to node-tar");
    }
    return execFileSync("git", ["rev-parse", `${first}^`], { cwd: ROOT, encoding: "utf8" }).trim();
}

function pack(bundlePath: string, outDir: string): Run {
    const script = `
        const { packModel } = require(${JSON.stringify(bundlePath)});
        const started = process.hrtime.bigint();
        const packed = packModel(${JSON.stringify(DATA_DIR)}, ${JSON.stringify(outDir)});
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
        console.log(JSON.stringify({ ms, maxRssMb, size: packed.size, sha256: packed.sha256 }));
    `;
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    if (child.status !== 0) {
        throw new Error(`pack failed (exit ${child.status}, signal ${child.signal}): ${child.stderr}`);
    }
    return JSON.parse(child.stdout.trim().split("\n").pop()!) as Run;
}

function memAvailableMb(): number {
    const line = fs.readFileSync("/proc/meminfo", "utf8").match(/^MemAvailable:\s+(\d+) kB/m);
    return line ? Math.floor(Number(line[1]) / 1024) : 0;
}

function bounded(value: string | undefined, fallback: number, max: number): number {
    const n = Number(value ?? fallback);
    if (!Number.isInteger(n) || n < 16 || n > max) {
        throw new Error(`BENCH_ARCHIVE_MB must be an integer from 16 to ${max}`);
    }
    return n;
}

main();
