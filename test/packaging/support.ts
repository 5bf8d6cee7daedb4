/**
 * Helpers shared by the packaging tests: run a command with a deadline, snapshot the working tree the
 * way a clean checkout would see it, pack it once per test process, and install the tarball into a
 * throwaway project outside the repository.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { AnalyzeResult, Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import { PackageSpec, generateSchema } from "@pulumi/pulumi/provider/experimental/schema";

/** The repository root (this file lives in test/packaging/). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export const PACKAGE_NAME = "modelapi";

export interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs a command without a shell and resolves with its output; rejects with both streams when it exits
 * non-zero or overruns `timeoutMs` (the child's whole process group is then killed).
 */
export function run(
    command: string,
    args: string[],
    opts: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv; allowFailure?: boolean },
): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, {
            cwd: opts.cwd,
            env: opts.env ?? cleanEnv(),
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => {
            killGroup(child.pid);
            reject(new Error(`${command} ${args.join(" ")} timed out after ${opts.timeoutMs} ms\n${tail(stdout)}\n${tail(stderr)}`));
        }, opts.timeoutMs);
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            if (code !== 0 && !opts.allowFailure) {
                reject(
                    new Error(
                        `${command} ${args.join(" ")} exited ${code} in ${opts.cwd}\nstdout:\n${tail(stdout)}\nstderr:\n${tail(stderr)}`,
                    ),
                );
                return;
            }
            resolve({ code, stdout, stderr });
        });
    });
}

/** Kills a detached child's process group; a group already gone is fine. */
export function killGroup(pid: number | undefined): void {
    if (pid === undefined) return;
    try {
        process.kill(-pid, "SIGKILL");
    } catch {
        // already exited
    }
}

/**
 * The environment without anything that would tie a child to this repository or to a Pulumi engine:
 * no PULUMI_* settings, none of the package/lifecycle variables `npm test` sets for this repository
 * (npm_config_* stay: they carry the registry and cache settings), no NODE_OPTIONS or ts-node hooks.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (/^(PULUMI_|npm_package_|npm_lifecycle_|NODE_OPTIONS$|TS_NODE_|INIT_CWD$)/.test(key)) continue;
        env[key] = value;
    }
    return { ...env, ...extra };
}

function tail(text: string, max = 4000): string {
    return text.length > max ? `…${text.slice(-max)}` : text;
}

/** A fresh directory under the system temp dir, removed by {@link removeTemp}. */
export function makeTemp(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export function removeTemp(dir: string | undefined): void {
    if (dir && dir.startsWith(os.tmpdir()) && !process.env.MODELAPI_KEEP_PACKAGING_TMP) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Copies the files a clean checkout would have (tracked plus untracked-but-not-ignored: no dist/, no
 * node_modules, no caches) into `dest`, and links the repository's node_modules so the build tools
 * resolve. Packing this copy proves the package builds from sources alone, with no stale dist/.
 */
export function snapshotWorkingTree(dest: string): void {
    const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (listed.status !== 0) {
        throw new Error(`git ls-files failed: ${listed.stderr}`);
    }
    for (const rel of listed.stdout.split("\0")) {
        if (!rel) continue;
        const from = path.join(REPO_ROOT, rel);
        let stat: fs.Stats;
        try {
            stat = fs.lstatSync(from);
        } catch {
            continue; // deleted in the working tree but still in the index
        }
        if (!stat.isFile()) continue;
        const to = path.join(dest, rel);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(from, to);
        fs.chmodSync(to, stat.mode & 0o777);
    }
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dest, "node_modules"), "dir");
}

export interface PackedFile {
    path: string;
    size: number;
}

export interface PackResult {
    /** Absolute path of the tarball. */
    tarball: string;
    /** Packed size in bytes. */
    size: number;
    unpackedSize: number;
    files: PackedFile[];
    /** The directory the tarball and the source snapshot live in. */
    workDir: string;
}

let packed: Promise<PackResult> | undefined;

/** A file planted in dist/ before packing, standing for the output of a source that no longer exists. */
export const STALE_BUILD_OUTPUT = "removed-long-ago.js";

/**
 * `npm pack` of a snapshot of the working tree (its `prepack` builds dist/ and the Lambda bundle), done
 * once per test process and shared by every suite that needs the tarball.
 */
export function packOnce(): Promise<PackResult> {
    packed ??= (async () => {
        const workDir = makeTemp("modelapi-pack");
        const src = path.join(workDir, "src");
        fs.mkdirSync(src);
        snapshotWorkingTree(src);
        // Left over from an earlier build of a file since deleted: prepack must not ship it.
        fs.mkdirSync(path.join(src, "dist", "components"), { recursive: true });
        fs.writeFileSync(path.join(src, "dist", "components", STALE_BUILD_OUTPUT), "module.exports = {};\n");
        const out = await run("npm", ["pack", "--json", "--pack-destination", workDir], {
            cwd: src,
            timeoutMs: 180_000,
        });
        const report = parsePackJson(out.stdout);
        return {
            tarball: path.join(workDir, report.filename),
            size: report.size,
            unpackedSize: report.unpackedSize,
            files: report.files.map((f: PackedFile) => ({ path: f.path, size: f.size })),
            workDir,
        };
    })();
    return packed;
}

/** `npm pack --json` prints a JSON array; lifecycle script output may precede it on stdout. */
function parsePackJson(stdout: string): { filename: string; size: number; unpackedSize: number; files: PackedFile[] } {
    const start = stdout.search(/^\[\s*$|^\[\s*\{/m);
    if (start < 0) {
        throw new Error(`no JSON in npm pack output:\n${stdout}`);
    }
    const parsed = JSON.parse(stdout.slice(start));
    if (!Array.isArray(parsed) || parsed.length !== 1) {
        throw new Error(`unexpected npm pack report: ${stdout.slice(start, start + 500)}`);
    }
    return parsed[0];
}

/** The version pins of the repository's package.json, so the consumer installs what we test with. */
export function repoManifest(): {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
} {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
}

/** The exact versions package-lock.json resolved for this repository's direct Pulumi dependencies. */
export function lockedVersions(): Record<"@pulumi/pulumi" | "@pulumi/aws", string> {
    const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
    const version = (name: string): string => {
        const entry = lock.packages?.[`node_modules/${name}`];
        if (!entry?.version) {
            throw new Error(`package-lock.json has no entry for ${name}`);
        }
        return entry.version;
    };
    return { "@pulumi/pulumi": version("@pulumi/pulumi"), "@pulumi/aws": version("@pulumi/aws") };
}

export interface HostedPlugin {
    /** The schema the plugin returned from GetSchema, parsed. */
    schema: any;
    /** The version the plugin reported from GetPluginInfo. */
    version: string;
    stderr: string;
}

/**
 * Hosts a source-based plugin the way the Node.js language host does for `pulumi package add`:
 * `node @pulumi/pulumi/cmd/run-plugin <plugin dir>` with the consumer's directory as working directory.
 * Reads the port the provider prints, asks it over gRPC for its plugin info and schema, and stops it.
 * Only the Pulumi CLI and its Go language host are left out.
 */
export async function hostPlugin(pluginDir: string, opts: { pwd: string; timeoutMs: number }): Promise<HostedPlugin> {
    const pulumiEntry = require.resolve("@pulumi/pulumi", { paths: [pluginDir] });
    const pulumiRoot = path.dirname(pulumiEntry);
    const runPlugin = path.join(pulumiRoot, "cmd", "run-plugin");
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiRoot] }));
    const providerGrpc = require(path.join(pulumiRoot, "proto", "provider_grpc_pb"));
    const providerPb = require(path.join(pulumiRoot, "proto", "provider_pb"));
    const emptyPb = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [pulumiRoot] }));

    const child = spawn(process.execPath, [runPlugin, pluginDir], {
        cwd: opts.pwd,
        env: cleanEnv(),
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    try {
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(
                () =>
                    reject(
                        new Error(
                            `the plugin printed no port within ${opts.timeoutMs} ms\nstdout:\n${tail(stdout)}\nstderr:\n${tail(stderr)}`,
                        ),
                    ),
                opts.timeoutMs,
            );
            child.stdout.on("data", (d) => {
                stdout += d;
                const m = /^(\d+)\s*$/m.exec(stdout);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            child.on("close", (code) => {
                clearTimeout(timer);
                reject(new Error(`the plugin exited ${code} before serving\nstdout:\n${tail(stdout)}\nstderr:\n${tail(stderr)}`));
            });
        });
        const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const call = <T>(method: string, request: unknown): Promise<T> =>
            new Promise((resolve, reject) => {
                const deadline = new Date(Date.now() + opts.timeoutMs);
                client[method](request, { deadline }, (err: Error | null, res: T) => (err ? reject(err) : resolve(res)));
            });
        try {
            const info: any = await call("getPluginInfo", new emptyPb.Empty());
            const response: any = await call("getSchema", new providerPb.GetSchemaRequest());
            return { schema: JSON.parse(response.getSchema()), version: info.getVersion(), stderr };
        } catch (err) {
            throw new Error(`${(err as Error).message}\nplugin stderr:\n${tail(stderr)}`, { cause: err });
        } finally {
            client.close();
        }
    } finally {
        killGroup(child.pid);
    }
}

/**
 * The schema Pulumi generates for this repository, the way its plugin host does: the component classes
 * exported by the package entry (root index.ts), analyzed from their TypeScript sources.
 */
export function analyzeRepository(dir: string = REPO_ROOT): { result: AnalyzeResult; schema: PackageSpec; componentNames: string[] } {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const componentNames = getPulumiComponents(require(path.join(dir, "index.ts")))
        .map((c) => c.name)
        .sort();
    const result = new Analyzer(dir, PACKAGE_NAME, manifest, new Set(componentNames)).analyze();
    const schema = generateSchema(
        PACKAGE_NAME,
        manifest.version,
        manifest.description,
        result.components,
        result.typeDefinitions,
        result.dependencies,
    );
    return { result, schema, componentNames };
}
