/**
 * Helpers for the end-to-end tests: models fitted in the test with Debian's Python, and the twin
 * started as a child process exactly as `npm start` starts it, driven over HTTP only.
 */
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { type ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PYTHON = process.env.MODELAPI_PYTHON || "/usr/bin/python3";

/** Fitted models: `iris` is LogisticRegression on iris, `reversed` the same on labels 2-y, so both give different answers. */
const FIT = `
import json, os, sys
import joblib, numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
out, variant = sys.argv[1], sys.argv[2]
X, y = load_iris(return_X_y=True)
if variant == "reversed":
    y = 2 - y
model = LogisticRegression(max_iter=1000).fit(X, y)
rows = X[[0, 50, 100, 25, 75, 125]].tolist() + [[6.0, 2.9, 4.5, 1.5], [5.0, 3.6, 1.3, 0.25]]
os.makedirs(out, exist_ok=True)
joblib.dump(model, os.path.join(out, "model.joblib"))
print(json.dumps({"rows": rows, "predictions": model.predict(np.array(rows)).tolist()}))
`;

export interface FittedModel {
    dir: string;
    rows: number[][];
    /** The model's own predictions for `rows`, recorded in Python. */
    predictions: number[];
}

export function fitModel(dir: string, variant: "iris" | "reversed" = "iris"): FittedModel {
    const result = spawnSync(PYTHON, ["-c", FIT, dir, variant], { encoding: "utf8", timeout: 60_000 });
    if (result.status !== 0) throw new Error(`fitting the test model failed: ${result.error?.message ?? result.stderr}`);
    const { rows, predictions } = JSON.parse(result.stdout) as { rows: number[][]; predictions: number[] };
    return { dir, rows, predictions };
}

/** A model whose code/inference.py predict_fn raises, with a message that must never reach a client. */
export function raisingModel(dir: string): string {
    fitModel(dir);
    fs.mkdirSync(path.join(dir, "code"), { recursive: true });
    fs.writeFileSync(
        path.join(dir, "code", "inference.py"),
        'def predict_fn(data, model):\n    raise RuntimeError("secret-detail: the model blew up")\n',
    );
    return dir;
}

export interface ReadyLine {
    url: string;
    apiKey: string;
    /** The twin's own process. */
    pid: number;
    serverPid: number;
    runtimeUrl: string;
    endpointName: string;
    models?: string[];
}

export class TwinProcess {
    readonly child: ChildProcess;
    stdout = "";
    stderr = "";
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

    /**
     * `local/main.ts` run by node, or with `npm: true` as `npm start -- ARGS` in a process group of its own
     * (as a shell with job control starts a command), so a signal can go to npm alone or to the whole group.
     */
    private readonly npm: boolean;

    constructor(args: string[], env: NodeJS.ProcessEnv = {}, { npm = false } = {}) {
        this.npm = npm;
        const [command, commandArgs] = npm
            ? ["npm", ["start", "--", ...args]]
            : [process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO_ROOT, "local", "main.ts"), ...args]];
        this.child = spawn(command, commandArgs, {
            cwd: REPO_ROOT,
            env: { ...process.env, MODELAPI_API_KEY: "", ...env },
            stdio: ["ignore", "pipe", "pipe"],
            detached: npm,
        });
        this.child.stdout!.on("data", (c: Buffer) => (this.stdout += c.toString()));
        this.child.stderr!.on("data", (c: Buffer) => (this.stderr += c.toString()));
        this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
    }

    /** Resolves with the parsed ready line; fails with the twin's output if it exits or takes too long. */
    async ready(timeoutMs = 90_000): Promise<ReadyLine> {
        const lines = readline.createInterface({ input: this.child.stdout! });
        const found = new Promise<ReadyLine>((resolve) => {
            lines.on("line", (line) => {
                if (line.startsWith("ready ")) resolve(JSON.parse(line.slice("ready ".length)) as ReadyLine);
            });
        });
        const exited = this.exited.then(({ code }) => {
            throw new Error(`the twin exited (${code}) before its ready line:\n${this.output()}`);
        });
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs / 1000} s:\n${this.output()}`)), timeoutMs);
        });
        try {
            return await Promise.race([found, exited, late]);
        } finally {
            clearTimeout(timer);
            lines.close();
        }
    }

    /** Waits for the twin to exit by itself (bounded). */
    async exit(timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the twin did not exit within ${timeoutMs / 1000} s:\n${this.output()}`)), timeoutMs);
        });
        try {
            return await Promise.race([this.exited, late]);
        } finally {
            clearTimeout(timer);
        }
    }

    output(): string {
        return `--- stdout\n${this.stdout.slice(-4000)}\n--- stderr\n${this.stderr.slice(-4000)}`;
    }

    /** For after-hooks: make sure nothing outlives a failed test. */
    async kill(serverPid?: number): Promise<void> {
        if (this.child.exitCode === null && this.child.signalCode === null) {
            this.child.kill("SIGTERM");
            await this.exit(20_000).catch(() => this.child.kill("SIGKILL"));
        }
        for (const group of [serverPid, this.npm ? this.child.pid : undefined]) {
            if (!group) continue;
            try {
                process.kill(-group, "SIGKILL");
            } catch {
                // already gone, as it should be
            }
        }
    }
}

/** True while the process `pid` is alive. */
export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
    try {
        process.kill(-pid, 0);
        return true;
    } catch {
        return false;
    }
}

export async function post(
    url: string,
    body: string | Buffer,
    headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; text: string }> {
    const res = await fetch(url, { method: "POST", headers, body });
    return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A 2-D float64 array as NumPy's .npy bytes (format 1.0), the way np.save writes it. */
export function toNpy(rows: number[][]): Buffer {
    const shape = `(${rows.length}, ${rows[0].length})`;
    let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`;
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
    header += " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n";
    const head = Buffer.alloc(10);
    head.write("\x93NUMPY", 0, "latin1");
    head[6] = 1;
    head[7] = 0;
    head.writeUInt16LE(header.length, 8);
    const data = Buffer.alloc(rows.length * rows[0].length * 8);
    rows.flat().forEach((v, i) => data.writeDoubleLE(v, i * 8));
    return Buffer.concat([head, Buffer.from(header, "latin1"), data]);
}

/** The numbers in a 1-D .npy array of little-endian integers or floats. */
export function fromNpy(bytes: Buffer): number[] {
    if (bytes.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error(`not an .npy answer: ${bytes.toString("latin1", 0, 40)}`);
    const major = bytes[6];
    const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
    const start = (major === 1 ? 10 : 12) + headerLength;
    const header = bytes.toString("latin1", major === 1 ? 10 : 12, start);
    const descr = /'descr': '([^']+)'/.exec(header)?.[1];
    const readers: Record<string, [number, (b: Buffer, o: number) => number]> = {
        "<i8": [8, (b, o) => Number(b.readBigInt64LE(o))],
        "<i4": [4, (b, o) => b.readInt32LE(o)],
        "<f8": [8, (b, o) => b.readDoubleLE(o)],
    };
    const reader = descr ? readers[descr] : undefined;
    if (!reader) throw new Error(`unexpected .npy dtype ${descr}`);
    const out: number[] = [];
    for (let o = start; o + reader[0] <= bytes.length; o += reader[0]) out.push(reader[1](bytes, o));
    return out;
}

/** A model whose model_fn takes `seconds` to load, for stopping the twin while it waits for /ping. */
export function slowModel(dir: string, seconds: number): string {
    fitModel(dir);
    fs.mkdirSync(path.join(dir, "code"), { recursive: true });
    fs.writeFileSync(
        path.join(dir, "code", "inference.py"),
        `import os, time\nimport joblib\n\ndef model_fn(model_dir):\n    time.sleep(${seconds})\n    return joblib.load(os.path.join(model_dir, "model.joblib"))\n`,
    );
    return dir;
}

/** Pids of the twin's watchdog processes that watch the server group `serverPid` (from /proc). */
export function watchdogsFor(serverPid: number): number[] {
    const found: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let args: string[];
        try {
            args = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        } catch {
            continue; // exited meanwhile
        }
        if (args.some((a) => a.includes("model server watchdog")) && args.includes(String(serverPid))) found.push(Number(entry));
    }
    return found;
}

/** An AWS SDK client of a local SageMaker runtime at `url`, which takes any credentials; no retries, so a refusal shows at once. */
export function runtimeClient(url: string): SageMakerRuntimeClient {
    return new SageMakerRuntimeClient({
        endpoint: url,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        maxAttempts: 1,
    });
}
