/**
 * The serving container's server as a child process: on the host with Debian's Python, or the
 * built image under Docker or podman (`--image`). Streams its log prefixed, waits for `/ping`
 * within a bound, and stops it (SIGTERM, then SIGKILL after a grace period) leaving nothing behind.
 */
import { type ChildProcess, spawn, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import * as readline from "readline";
import { missingModuleFromLog, pythonPath } from "./python";
import { startWatchdog, type Watchdog } from "./watchdog";

const REPO_ROOT = path.resolve(__dirname, "..");
/** Where SageMaker mounts the model, and where the twin mounts the multi-model directory, inside the image. */
const IMAGE_MODEL_DIR = "/opt/ml/model";
const IMAGE_MODELS_DIR = "/opt/ml/models";
const IMAGE_PORT = 8080;

export interface ServerSpec {
    multiModel: boolean;
    /** Single-model: the unpacked model. */
    modelDir?: string;
    /** Multi-model: the directory models are unpacked into (mounted into an image). */
    modelsRoot?: string;
    /** Host port the server answers on. */
    port: number;
    workers: number;
    /** Run this image instead of the host Python server. */
    image?: string;
    /** The twin's scratch directory, removed by the watchdog if the twin dies without removing it. */
    workDir?: string;
    /** Settings the endpoint gives its container beyond SageMaker's own (an asynchronous endpoint's limits). */
    settings?: Record<string, string>;
}

export interface Command {
    command: string;
    args: string[];
    env: NodeJS.ProcessEnv;
}

/** The host server: `python3 container/serve` with SageMaker's env, bound to loopback. */
export function hostCommand(spec: ServerSpec, python: string = pythonPath(), baseEnv: NodeJS.ProcessEnv = process.env): Command {
    const env: NodeJS.ProcessEnv = {
        ...baseEnv,
        SAGEMAKER_BIND_TO_PORT: String(spec.port),
        MODELAPI_BIND_HOST: "127.0.0.1",
        SAGEMAKER_MODEL_SERVER_WORKERS: String(spec.workers),
        // Log lines as they happen, not when a buffer fills.
        PYTHONUNBUFFERED: "1",
        ...spec.settings,
    };
    if (spec.multiModel) {
        env.SAGEMAKER_MULTI_MODEL = "true";
    } else {
        env.SM_MODEL_DIR = spec.modelDir;
    }
    return { command: python, args: [path.join(REPO_ROOT, "container", "serve")], env };
}

/** Variables the twin sets itself for the container; the caller's values would contradict them. */
const SET_BY_THE_TWIN = new Set(["SAGEMAKER_BIND_TO_PORT", "SAGEMAKER_MODEL_SERVER_WORKERS", "SAGEMAKER_MULTI_MODEL"]);

/**
 * The container settings in the twin's environment that reach the image, as `endpoint.environment` does when
 * deployed: SageMaker's own variables (SAGEMAKER_PROGRAM, SAGEMAKER_INFERENCE_OUTPUT,
 * SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, ...) and MAX_CONTENT_LENGTH. The host server inherits the whole
 * environment anyway; the image sees only what is passed with -e.
 */
export function forwardedSettings(env: NodeJS.ProcessEnv): [string, string][] {
    return Object.entries(env)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .filter(([key]) => (key.startsWith("SAGEMAKER_") && !SET_BY_THE_TWIN.has(key)) || key === "MAX_CONTENT_LENGTH")
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The image run as SageMaker runs it (`IMAGE serve`), published on loopback only, the model mounted read-only. */
export function imageCommand(
    spec: ServerSpec,
    engine: "docker" | "podman",
    name: string,
    podmanFlags: string[],
    baseEnv: NodeJS.ProcessEnv = process.env,
): Command {
    const args = ["run", "--rm", "--name", name];
    if (engine === "podman") args.push(...podmanFlags);
    args.push("-p", `127.0.0.1:${spec.port}:${IMAGE_PORT}`, "-e", `SAGEMAKER_MODEL_SERVER_WORKERS=${spec.workers}`);
    for (const [key, value] of forwardedSettings(baseEnv)) args.push("-e", `${key}=${value}`);
    for (const [key, value] of Object.entries(spec.settings ?? {})) args.push("-e", `${key}=${value}`);
    if (spec.multiModel) {
        args.push("-e", "SAGEMAKER_MULTI_MODEL=true", "-v", `${spec.modelsRoot}:${IMAGE_MODELS_DIR}:ro`);
    } else {
        args.push("-v", `${spec.modelDir}:${IMAGE_MODEL_DIR}:ro`);
    }
    args.push(spec.image!, "serve");
    return { command: engine, args, env: baseEnv };
}

/**
 * What `podman run` needs on hosts like this one (docs/image.md, the same flags as scripts/image-lib.sh):
 * runc when installed, as podman's default crun refuses hybrid cgroup layouts; rlimits within this
 * process's hard limits, as podman's defaults ask for more and fail with "setrlimit: Operation not permitted".
 */
export function podmanRunFlags(hardNofile: string, hasRunc: boolean): string[] {
    const nofile = /^\d+$/.test(hardNofile) ? hardNofile : "1048576"; // "unlimited"
    return [...(hasRunc ? ["--runtime", "runc"] : []), "--ulimit", `nofile=${nofile}:${nofile}`, "--ulimit", "nproc=32768:32768"];
}

/** Docker when its daemon answers, else podman, else a plain error. */
export function pickEngine(): "docker" | "podman" {
    if (spawnSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 }).status === 0) return "docker";
    if (spawnSync("podman", ["--version"], { stdio: "ignore", timeout: 10_000 }).status === 0) return "podman";
    throw new Error(
        "--image needs Docker (with a running daemon) or podman, and neither was found; install podman (`sudo apt-get install podman runc`) or start Docker (see docs/image.md)",
    );
}

/** A port that was free a moment ago, for the server to bind. */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

// Every server still running, so an unexpected exit of the twin still kills them.
const running = new Set<ContainerProcess>();
let exitHook = false;
function killOnExit(server: ContainerProcess): void {
    running.add(server);
    if (exitHook) return;
    exitHook = true;
    process.on("exit", () => {
        for (const s of running) s.killNow();
    });
}

export class ContainerProcess {
    readonly url: string;
    private exited = false;
    private exitInfo = "";
    private readonly recent: string[] = [];
    private readonly exitPromise: Promise<void>;
    private watchdog?: Watchdog;

    private constructor(
        private readonly child: ChildProcess,
        private readonly spec: ServerSpec,
        private readonly engine: "host" | "docker" | "podman",
        private readonly containerName: string | undefined,
        private readonly log: (line: string) => void,
    ) {
        this.url = `http://127.0.0.1:${spec.port}`;
        this.exitPromise = new Promise((resolve) => {
            child.once("exit", (code, signal) => {
                this.exited = true;
                this.exitInfo = signal ? `was killed by ${signal}` : `exited with status ${code}`;
                running.delete(this);
                resolve();
            });
        });
        for (const stream of [child.stdout!, child.stderr!]) {
            readline.createInterface({ input: stream }).on("line", (line) => {
                this.recent.push(line);
                if (this.recent.length > 40) this.recent.shift();
                this.log(line);
            });
        }
    }

    /** Starts the server; resolves once the process is spawned (see waitUntilReady). */
    static async start(spec: ServerSpec, log: (line: string) => void): Promise<ContainerProcess> {
        let cmd: Command;
        let engine: "host" | "docker" | "podman" = "host";
        let name: string | undefined;
        if (spec.image) {
            engine = pickEngine();
            name = `modelapi-local-${randomBytes(4).toString("hex")}`;
            const hard = spawnSync("bash", ["-c", "ulimit -Hn"], { encoding: "utf8" }).stdout.trim() || "1024";
            const hasRunc = spawnSync("bash", ["-c", "command -v runc"], { stdio: "ignore" }).status === 0;
            cmd = imageCommand(spec, engine, name, podmanRunFlags(hard, hasRunc));
        } else {
            cmd = hostCommand(spec);
        }
        // Its own process group, so stopping it reaches every worker it forked.
        const child = spawn(cmd.command, cmd.args, { env: cmd.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        await new Promise<void>((resolve, reject) => {
            child.once("spawn", () => resolve());
            child.once("error", (err) => reject(new Error(`cannot start ${cmd.command}: ${err.message}`)));
        });
        const server = new ContainerProcess(child, spec, engine, name, log);
        killOnExit(server);
        server.watchdog = startWatchdog(child.pid!, {
            cleanup: name ? [engine, "rm", "-f", name] : [],
            removeDir: spec.workDir,
        });
        return server;
    }

    get pid(): number {
        return this.child.pid!;
    }

    /** The `url` for `POST /models` of a model unpacked into `hostDir`, as the server sees it. */
    modelUrl(hostDir: string): string {
        if (this.engine === "host") return hostDir;
        return path.posix.join(IMAGE_MODELS_DIR, path.relative(this.spec.modelsRoot!, hostDir).split(path.sep).join("/"));
    }

    /** Polls `/ping` until 200; fails early when the server exits or reports a model that failed to load. */
    async waitUntilReady(timeoutMs: number): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (this.exited) throw new Error(this.failure(`the model server ${this.exitInfo} before answering /ping`));
            // Its supervisor keeps replacing workers that cannot import a library; no point waiting for that.
            const missing = missingModuleFromLog(this.recent.join("\n"));
            if (missing) throw new Error(`the model server cannot start: ${missing}`);
            const ping = await getPing(`${this.url}/ping`);
            if (ping.status === 200) return;
            if (ping.status === 500) throw new Error(this.failure(`the model server cannot serve the model: ${ping.body}`));
            await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(this.failure(`the model server did not answer /ping within ${Math.round(timeoutMs / 1000)} s`));
    }

    /** SIGTERM, then SIGKILL after `graceMs`; resolves when the server and everything it started are gone. */
    async stop(graceMs = 10_000): Promise<void> {
        if (!this.exited) {
            this.signal("SIGTERM");
            const timer = setTimeout(() => this.killNow(), graceMs);
            await this.exitPromise;
            clearTimeout(timer);
        }
        // Workers that outlived their supervisor, or a container left behind by the engine.
        this.signal("SIGKILL");
        if (this.containerName) {
            spawnSync(this.engine, ["rm", "-f", this.containerName], { stdio: "ignore", timeout: 30_000 });
        }
        this.watchdog?.stop();
        running.delete(this);
    }

    /** Last resort, synchronous: used on exit of the twin. */
    killNow(): void {
        this.signal("SIGKILL");
    }

    private signal(sig: NodeJS.Signals): void {
        try {
            process.kill(-this.pid, sig);
        } catch {
            // ESRCH: the group is already gone.
        }
    }

    private failure(what: string): string {
        const logText = `${what}\n${this.recent.join("\n")}`;
        const advice = missingModuleFromLog(logText);
        if (advice) return `${what}: ${advice}`;
        const tail = this.recent
            .slice(-10)
            .map((l) => `    ${l}`)
            .join("\n");
        return tail ? `${what}; its last log lines:\n${tail}` : what;
    }
}

function getPing(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
        const req = http.get(url, { timeout: 2_000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString().slice(0, 500) }));
            res.on("error", () => resolve({ status: 0, body: "" }));
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve({ status: 0, body: "" }));
    });
}
