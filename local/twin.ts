/**
 * The local twin assembled: gateway → real Lambda handler → local SageMaker runtime → serving
 * container server → the model unpacked from its real model.tar.gz. Everything it starts or
 * writes is undone by `close()`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { format } from "util";
import { packModel } from "../core/archive/pack";
import {
    ASYNC_BUCKET_ENV,
    ASYNC_MAX_INPUT_BYTES,
    ASYNC_PREFIXES,
    corsOriginsProblem,
    PRODUCTION_VARIANT,
    targetModelName,
    VARIANT_NAMES_ENV,
} from "../contract";
import { ApiDocs } from "./api-docs";
import type { ModelArg, ShadowArg, VariantArg } from "./args";
import { ContainerProcess, freePort } from "./container-process";
import { LocalGateway, type ProxyHandler } from "./gateway";
import { LOCAL_S3_CREDENTIALS, LocalS3 } from "./local-s3";
import { checkPythonModules } from "./python";
import { LOCAL_REGION, LocalRuntime, type RuntimeVariant } from "./runtime";
import { describeSummary } from "./shadow-compare";
import { ShadowMirror } from "./shadow-mirror";
import { extractTarGz } from "./untar";

const REPO_ROOT = path.resolve(__dirname, "..");
export const ENDPOINT_NAME = "modelapi-local";
/** The host server answers in seconds; an image may first start its runtime. */
const PING_TIMEOUT_MS = 60_000;
const IMAGE_PING_TIMEOUT_MS = 180_000;

export interface TwinOptions {
    models: ModelArg[];
    multiModel: boolean;
    /** An asynchronous endpoint: InvokeEndpointAsync, inputs and results in a local S3. */
    async?: boolean;
    port: number;
    apiKey: string;
    image?: string;
    workers: number;
    /** Production variants, each served by its own model server; absent or empty: `models` as one variant. */
    variants?: VariantArg[];
    /** A shadow variant beside the one production variant. */
    shadow?: ShadowArg;
    /** Uniform in [0, 1) for weighted routing and shadow sampling; default Math.random. */
    random?: () => number;
    /** Origins allowed by CORS, as `api.cors.allowOrigins`; default: $MODELAPI_CORS_ALLOW_ORIGINS (comma-separated), else off. */
    corsAllowOrigins?: string[];
    /** Progress lines. */
    progress: (line: string) => void;
    /** Lines from the model server, the runtime and the gateway. */
    log: (source: string, line: string) => void;
}

export interface TwinInfo {
    url: string;
    port: number;
    serverPid: number;
    workDir: string;
    /** The local SageMaker Runtime, for AWS SDKs and the AWS CLI (`--endpoint-url`). */
    runtimeUrl: string;
    /** The endpoint name to invoke there. */
    endpointName: string;
    /** With variants: each variant's model server pid, the shadow's included. */
    variantServerPids?: Record<string, number>;
    /** An asynchronous twin's local S3: its URL, bucket, and the directories uploads and results are kept in. */
    s3?: { url: string; bucket: string; uploads: string; outputs: string; failures: string };
}

/**
 * What an asynchronous endpoint gives its container: bodies up to InvokeEndpointAsync's 1 GB, and the
 * invocation timeout the Lambda asks for (900 s) instead of InvokeEndpoint's 60 s ("Asynchronous
 * inference" and "How to create an Asynchronous Inference Endpoint", SageMaker Developer Guide).
 */
export const ASYNC_CONTAINER_SETTINGS: Record<string, string> = {
    MODELAPI_MAX_BODY_BYTES: String(ASYNC_MAX_INPUT_BYTES),
    SAGEMAKER_MODEL_SERVER_TIMEOUT: "900",
    MODELAPI_BODY_TIMEOUT: "900",
};
/** Requests the local asynchronous endpoint holds before it answers ServiceUnavailable. */
const ASYNC_MAX_QUEUED = 1000;

/** A stop was asked for while the twin was still starting. */
export class StoppedError extends Error {
    name = "StoppedError";
}

type Cleanup = () => Promise<void> | void;

/** One run of the twin. `close()` may be called at any time, also while `start()` is still preparing. */
export class LocalTwin {
    private readonly cleanups: Cleanup[] = [];
    private closing?: Promise<void>;
    private stopRequested = false;

    constructor(private readonly opts: TwinOptions) {}

    async start(): Promise<TwinInfo> {
        try {
            return await this.assemble();
        } catch (err) {
            const stopped = this.stopRequested;
            await this.close();
            // A failure caused by the stop itself (a killed server, a closed port) is just the stop.
            throw stopped ? new StoppedError("stopped while starting") : err;
        }
    }

    /** Stops everything started so far, last started first; every step runs even if one fails. */
    close(): Promise<void> {
        this.stopRequested = true;
        this.closing ??= (async () => {
            while (this.cleanups.length > 0) {
                try {
                    await this.cleanups.pop()!();
                } catch (err) {
                    this.opts.log("twin", `cleanup failed: ${(err as Error).message}`);
                }
            }
        })();
        return this.closing;
    }

    /** Registers how to undo a step, or undoes it at once when a stop came in meanwhile. */
    private async undo(cleanup: Cleanup): Promise<void> {
        if (this.stopRequested) {
            await cleanup();
            throw new StoppedError("stopped while starting");
        }
        this.cleanups.push(cleanup);
    }

    private async assemble(): Promise<TwinInfo> {
        if (this.opts.variants?.length || this.opts.shadow) return this.assembleVariants();
        const opts = this.opts;
        for (const model of opts.models) {
            if (!fs.existsSync(model.path)) {
                throw new Error(`model path ${model.path} does not exist; give a model directory or a .tar.gz`);
            }
        }
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-local-"));
        await this.undo(() => fs.rmSync(workDir, { recursive: true, force: true }));
        const serverPort = await freePort();
        let server: ContainerProcess | undefined;
        const modelsRoot = path.join(workDir, "models");

        let s3: LocalS3 | undefined;
        if (opts.async) {
            const local = new LocalS3(path.join(workDir, "s3"));
            s3 = local;
            opts.progress(`starting a local S3 (@20minutes/s3rver) with its files under ${path.join(workDir, "s3")}`);
            await local.start();
            await this.undo(() => local.stop());
        }

        const archives = new Map<string, string>();
        const runtime = new LocalRuntime({
            endpointName: ENDPOINT_NAME,
            container: { url: `http://127.0.0.1:${serverPort}`, modelUrl: (dir) => server?.modelUrl(dir) ?? dir },
            models: opts.multiModel ? archives : undefined,
            unpackRoot: opts.multiModel ? modelsRoot : undefined,
            async: s3
                ? {
                      s3: { url: s3.url, bucket: s3.bucket, ...LOCAL_S3_CREDENTIALS, region: LOCAL_REGION },
                      maxConcurrent: opts.workers,
                      maxQueued: ASYNC_MAX_QUEUED,
                  }
                : undefined,
            log: (line) => opts.log("runtime", line),
        });
        const runtimeUrl = await runtime.listen(0);
        await this.undo(() => runtime.close());

        const docs = new ApiDocs({
            title: opts.multiModel ? "models" : opts.models[0].name,
            multiModel: opts.multiModel,
            modelNames: opts.models.map((m) => m.name),
            apiKeyRequired: true,
            asyncApi: opts.async,
        });
        const corsAllowOrigins = corsOrigins(opts);
        const gateway = new LocalGateway({
            handler: loadHandler(runtimeUrl, opts, corsAllowOrigins, s3),
            apiKey: opts.apiKey,
            multiModel: opts.multiModel,
            asyncApi: s3 !== undefined,
            corsAllowOrigins,
            log: (line) => opts.log("gateway", line),
            pages: (req, res, requestId) => docs.handle(req, res, requestId),
        });
        // Bound before the slow steps, so a taken port is reported at once.
        const port = await gateway.listen(opts.port);
        docs.setUrl(`http://127.0.0.1:${port}`);
        await this.undo(() => gateway.close());

        for (const model of opts.models) {
            opts.progress(`packing ${model.name} from ${model.path}`);
            // Where `pulumi up` packs too: an unchanged model directory reuses the archive already written.
            const packed = packModel(model.path);
            archives.set(targetModelName(model.name), packed.archivePath);
            opts.progress(`  ${targetModelName(model.name)}: ${packed.size} bytes, sha256 ${packed.sha256.slice(0, 12)}`);
        }

        fs.mkdirSync(modelsRoot, { recursive: true });
        let modelDir: string | undefined;
        if (!opts.multiModel) {
            const [archive] = archives.values();
            modelDir = path.join(workDir, "model");
            opts.progress(`unpacking ${targetModelName(opts.models[0].name)} into ${modelDir}`);
            await extractTarGz(archive, modelDir);
        } else {
            opts.progress(`models are unpacked into ${modelsRoot} when first invoked`);
        }

        if (!opts.image) {
            // Only that it runs: the server's own log names any library it then lacks.
            checkPythonModules([]);
        }
        const how = opts.image ? `image ${opts.image}` : "container/serve";
        opts.progress(`starting the model server (${how}) on 127.0.0.1:${serverPort}`);
        server = await ContainerProcess.start(
            {
                multiModel: opts.multiModel,
                modelDir,
                modelsRoot,
                port: serverPort,
                workers: opts.workers,
                image: opts.image,
                workDir,
                settings: s3 ? ASYNC_CONTAINER_SETTINGS : undefined,
            },
            (line) => opts.log("server", line),
        );
        const started = server;
        await this.undo(() => started.stop());
        opts.progress(`waiting for the model server to answer /ping (pid ${server.pid})`);
        await server.waitUntilReady(opts.image ? IMAGE_PING_TIMEOUT_MS : PING_TIMEOUT_MS);
        if (this.stopRequested) throw new StoppedError("stopped while starting");

        const info: TwinInfo = {
            url: `http://127.0.0.1:${port}`,
            port,
            serverPid: server.pid,
            workDir,
            runtimeUrl,
            endpointName: ENDPOINT_NAME,
        };
        if (s3) {
            const where = (prefix: string) => path.join(s3.where(), prefix);
            info.s3 = {
                url: s3.url,
                bucket: s3.bucket,
                uploads: where(ASYNC_PREFIXES.uploads),
                outputs: where(ASYNC_PREFIXES.outputs),
                failures: where(ASYNC_PREFIXES.failures),
            };
        }
        return info;
    }

    /**
     * Several versions of one model behind one endpoint: a model server per production variant and one for
     * the shadow, the runtime routing between them as SageMaker does, and the shadow's comparison reported
     * live and when the twin stops.
     */
    private async assembleVariants(): Promise<TwinInfo> {
        const opts = this.opts;
        const production: VariantArg[] = opts.variants?.length
            ? opts.variants
            : [{ name: PRODUCTION_VARIANT, path: opts.models[0].path, weight: 1 }];
        const all = [...production, ...(opts.shadow ? [opts.shadow] : [])];
        for (const variant of all) {
            if (!fs.existsSync(variant.path)) {
                throw new Error(
                    `model path ${variant.path} of variant ${variant.name} does not exist; give a model directory or a .tar.gz`,
                );
            }
        }
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-local-"));
        await this.undo(() => fs.rmSync(workDir, { recursive: true, force: true }));
        const servers = new Map<string, ContainerProcess>();
        const ports = new Map<string, number>();
        for (const variant of all) ports.set(variant.name, await freePort());
        const target = (name: string) => ({
            url: `http://127.0.0.1:${ports.get(name)}`,
            modelUrl: (dir: string) => servers.get(name)?.modelUrl(dir) ?? dir,
        });
        const random = opts.random ?? Math.random;
        const mirror = opts.shadow
            ? new ShadowMirror({
                  shadow: opts.shadow.name,
                  production: production[0].name,
                  url: target(opts.shadow.name).url,
                  percent: opts.shadow.percent,
                  random,
                  report: (line) => opts.log("shadow", line),
              })
            : undefined;
        const runtimeVariants: RuntimeVariant[] = production.map((v) => ({ name: v.name, weight: v.weight, container: target(v.name) }));
        const runtime = new LocalRuntime({
            endpointName: ENDPOINT_NAME,
            container: runtimeVariants[0].container,
            variants: runtimeVariants,
            shadow: mirror,
            random,
            log: (line) => opts.log("runtime", line),
        });
        const runtimeUrl = await runtime.listen(0);
        await this.undo(() => runtime.close());

        const variantNames = production.map((v) => v.name);
        const title = opts.models[0]?.name ?? production[0].name;
        const docs = new ApiDocs({ title, multiModel: false, modelNames: [title], apiKeyRequired: true, variantNames });
        const corsAllowOrigins = corsOrigins(opts);
        const gateway = new LocalGateway({
            handler: loadHandler(runtimeUrl, opts, corsAllowOrigins, undefined, variantNames),
            apiKey: opts.apiKey,
            multiModel: false,
            corsAllowOrigins,
            log: (line) => opts.log("gateway", line),
            pages: (req, res, requestId) => docs.handle(req, res, requestId),
        });
        const port = await gateway.listen(opts.port);
        docs.setUrl(`http://127.0.0.1:${port}`);
        await this.undo(() => gateway.close());

        if (!opts.image) checkPythonModules([]);
        for (const variant of all) {
            const role =
                variant === opts.shadow ? `shadow ${variant.name} (${opts.shadow.percent} % of requests)` : `variant ${variant.name}`;
            opts.progress(`packing ${role} from ${variant.path}`);
            const packed = packModel(variant.path);
            const modelDir = path.join(workDir, "variants", variant.name);
            await extractTarGz(packed.archivePath, modelDir);
            const serverPort = ports.get(variant.name)!;
            opts.progress(`starting the model server of ${role} on 127.0.0.1:${serverPort}`);
            const server = await ContainerProcess.start(
                { multiModel: false, modelDir, port: serverPort, workers: opts.workers, image: opts.image, workDir },
                (line) => opts.log(`server ${variant.name}`, line),
            );
            servers.set(variant.name, server);
            await this.undo(() => server.stop());
        }
        for (const [name, server] of servers) {
            opts.progress(`waiting for the model server of ${name} to answer /ping (pid ${server.pid})`);
            await server.waitUntilReady(opts.image ? IMAGE_PING_TIMEOUT_MS : PING_TIMEOUT_MS);
        }
        if (mirror) {
            // Registered last so it runs first on close: the copies under way finish while the shadow still answers.
            await this.undo(async () => {
                const summary = await mirror.close();
                opts.log("shadow", `final: ${describeSummary(summary)}`);
                opts.log("shadow", `summary ${JSON.stringify(summary)}`);
            });
        }
        if (this.stopRequested) throw new StoppedError("stopped while starting");
        return {
            url: `http://127.0.0.1:${port}`,
            port,
            serverPid: servers.get(production[0].name)!.pid,
            workDir,
            runtimeUrl,
            endpointName: ENDPOINT_NAME,
            variantServerPids: Object.fromEntries([...servers].map(([name, server]) => [name, server.pid])),
        };
    }
}

/**
 * Points the handler's SDK client at the local runtime and loads the handler from source. The SDK
 * reads these variables when the client is first built, so they are set before the first request.
 */
function corsOrigins(opts: TwinOptions): string[] {
    const origins =
        opts.corsAllowOrigins ??
        (process.env.MODELAPI_CORS_ALLOW_ORIGINS ?? "")
            .split(",")
            .map((o) => o.trim())
            .filter((o) => o !== "");
    const problem = origins.length > 0 ? corsOriginsProblem(origins) : undefined;
    if (problem) throw new Error(`CORS origins ${problem}`);
    return origins;
}

function loadHandler(
    runtimeUrl: string,
    opts: TwinOptions,
    corsAllowOrigins: string[],
    s3: LocalS3 | undefined,
    variantNames: string[] = [],
): ProxyHandler {
    const env = process.env;
    env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = runtimeUrl;
    // Dummy credentials: the runtime ignores the signature, and no real AWS key must ever be used here.
    env.AWS_ACCESS_KEY_ID = "local";
    env.AWS_SECRET_ACCESS_KEY = "local";
    delete env.AWS_SESSION_TOKEN;
    delete env.AWS_PROFILE;
    env.AWS_REGION = LOCAL_REGION;
    env.ENDPOINT_NAME = ENDPOINT_NAME;
    env.ENDPOINT_KIND = s3 ? "async" : "realtime";
    if (s3) {
        // The local S3 checks signatures and knows only its own key, which the runtime accepts as any other.
        Object.assign(env, s3.env());
        env[ASYNC_BUCKET_ENV] = s3.bucket;
    } else {
        delete env.AWS_ENDPOINT_URL_S3;
        delete env[ASYNC_BUCKET_ENV];
    }
    if (corsAllowOrigins.length > 0) {
        env.CORS_ALLOW_ORIGINS = corsAllowOrigins.join(",");
    } else {
        delete env.CORS_ALLOW_ORIGINS;
    }
    // As the component sets it: the production variants a caller may pin.
    if (variantNames.length > 0) {
        env[VARIANT_NAMES_ENV] = variantNames.join(",");
    } else {
        delete env[VARIANT_NAMES_ENV];
    }
    if (opts.multiModel) {
        env.MODEL_NAMES = opts.models.map((m) => m.name).join(",");
    } else {
        delete env.MODEL_NAMES;
    }
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    // As Lambda's runtime does, the handler's console output goes to the function's log, not to the
    // twin's stdout, which carries only the twin's own lines (and the ready line scripts wait for).
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
        console[level] = (...args: unknown[]) => opts.log("lambda", format(...args));
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(REPO_ROOT, "lambda", "handler")) as { handler: ProxyHandler };
    return mod.handler;
}
