/**
 * The command line of the local twin:
 *   npm start -- [--multi-model | --async] [--port N] [--api-key K] [--image [IMAGE]] [--workers N] [MODEL ...]
 * MODEL is `path` or `name=path`, a model directory or a `.tar.gz`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs as parseCommandLine, type ParseArgsConfig } from "util";
import { duplicateNameError, modelNameError } from "../core/input-validation";

export const DEFAULT_PORT = 3000;

export const USAGE = `Usage: npm start -- [options] [MODEL ...]

Serves models through the same data path as the deployed API: a local API Gateway (API key
checked) → the real Lambda handler → a local SageMaker runtime → the serving container's server.

MODEL           a model directory or a .tar.gz, as "path" or "name=path" (repeatable; after "--" a
                MODEL may start with "-").
                Without MODEL the example model (scikit-learn on iris) is served, trained on first use.
Options:
  --multi-model   serve every MODEL from one multi-model endpoint: POST /models/{name}/predict
  --async         serve an asynchronous endpoint: POST /predict answers 202 with an id, GET
                  /predictions/{id} gives the answer, POST /uploads takes inputs up to 1 GB; a local
                  S3 server holds inputs and results
  --port N        port of the local API on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --api-key K     the API key clients send in x-api-key (default: $MODELAPI_API_KEY, else random per run)
  --image [IMAGE] run the serving image (Docker, or podman) instead of the host Python server; without
                  IMAGE the one built from container/ by \`npm run image\`, built first if missing
                  (write --image=IMAGE when IMAGE could be read as a model path)
  --workers N     model server worker processes (default 1)
  -h, --help      show this help

Environment: MODELAPI_PYTHON (default /usr/bin/python3), MODELAPI_API_KEY.`;

export interface ModelArg {
    name: string;
    /** Absolute path of a model directory or .tar.gz. */
    path: string;
}

export interface CliOptions {
    help: boolean;
    multiModel: boolean;
    /** An asynchronous endpoint (InvokeEndpointAsync through a local S3). */
    async: boolean;
    port: number;
    apiKey?: string;
    /** An image to run instead of the host Python server. */
    image?: string;
    /** `--image` without a value: run the image built from container/ (`npm run image`), building it if missing. */
    localImage: boolean;
    workers: number;
    /** Empty: serve the example model. */
    models: ModelArg[];
}

export class UsageError extends Error {
    name = "UsageError";
}

/** The component's own rule (SageMaker's), so a name that works here works deployed. */
export function isValidModelName(name: string): boolean {
    return modelNameError(name) === undefined;
}

/** The options, as `util.parseArgs` declares them; every one but the booleans takes a value. */
const OPTIONS = {
    help: { type: "boolean", short: "h" },
    "multi-model": { type: "boolean" },
    async: { type: "boolean" },
    port: { type: "string" },
    "api-key": { type: "string" },
    image: { type: "string" },
    workers: { type: "string" },
} as const satisfies ParseArgsConfig["options"];

type OptionName = keyof typeof OPTIONS;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
    // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
    const base = env.INIT_CWD || process.cwd();
    // Tokens only: the checks below give messages that name the option and the fix.
    const { tokens } = parseCommandLine({
        args: imageValueMarked(argv, base),
        options: OPTIONS,
        allowPositionals: true,
        strict: false,
        tokens: true,
    });
    const opts: CliOptions = {
        help: false,
        multiModel: false,
        async: false,
        port: DEFAULT_PORT,
        workers: 1,
        localImage: false,
        models: [],
    };
    const specs: string[] = [];
    for (const token of tokens) {
        if (token.kind === "positional") {
            specs.push(token.value);
            continue;
        }
        if (token.kind !== "option") continue; // the `--` terminator: what follows is positional
        if (!Object.hasOwn(OPTIONS, token.name)) throw new UsageError(`unknown option ${token.rawName}; see --help`);
        const name = token.name as OptionName;
        const flag = `--${name}`;
        if (OPTIONS[name].type === "boolean") {
            if (token.value !== undefined) throw new UsageError(`${flag} takes no value, got "${token.value}"`);
            if (name === "help") opts.help = true;
            else if (name === "async") opts.async = true;
            else opts.multiModel = true;
            continue;
        }
        const value = token.value;
        if (name === "image" && value === "") {
            opts.image = undefined;
            opts.localImage = true;
            continue;
        }
        // `--port --workers 2`: parseArgs would take "--workers" as the port.
        if (value === undefined || value === "" || (!token.inlineValue && value.startsWith("-"))) {
            throw new UsageError(`${flag} needs a value`);
        }
        switch (name) {
            case "port":
                opts.port = integer(flag, value, 0, 65535);
                break;
            case "api-key":
                opts.apiKey = value;
                break;
            case "image":
                opts.image = value;
                opts.localImage = false;
                break;
            case "workers":
                opts.workers = integer(flag, value, 1, 64);
                break;
        }
    }
    opts.apiKey ??= env.MODELAPI_API_KEY?.trim() || undefined;
    opts.models = specs.map((spec) => parseModel(spec, base));
    if (opts.models.length > 1 && !opts.multiModel) {
        throw new UsageError(
            `${opts.models.length} models were given; serving several needs --multi-model (one endpoint, POST /models/{name}/predict)`,
        );
    }
    if (opts.async && opts.multiModel) {
        // "Supported features" (SageMaker Developer Guide): multi-model endpoints do not take asynchronous inference.
        throw new UsageError("--async and --multi-model cannot be combined: SageMaker has no asynchronous multi-model endpoint");
    }
    const duplicate = duplicateNameError(opts.models.map((m) => m.name));
    if (duplicate) throw new UsageError(`model name ${duplicate.message}; name them apart with name=path`);
    return opts;
}

/**
 * `--image` takes an optional value, which `util.parseArgs` cannot express: a bare `--image` becomes
 * `--image=` (the locally built image) unless the next argument reads as an image reference rather
 * than a model, so `--image ./model` serves ./model from the local image and `--image repo:tag MODEL`
 * runs repo:tag. `--image=IMAGE` is never ambiguous.
 */
function imageValueMarked(argv: string[], base: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--") return [...out, ...argv.slice(i)];
        if (argv[i] === "--image" && (i + 1 === argv.length || !looksLikeImage(argv[i + 1], base))) {
            out.push("--image=");
        } else {
            out.push(argv[i]);
        }
    }
    return out;
}

/** An image reference never starts with `-`, `.`, `/` or `~`, holds no `=`, and is not a file here. */
function looksLikeImage(arg: string, base: string): boolean {
    if (/^[-./~]/.test(arg) || arg.includes("=") || /\.(tar\.gz|tgz)$/.test(arg)) return false;
    return !fs.existsSync(path.resolve(base, arg));
}

/** `name=path` or `path`; the name defaults to the file or directory name without .tar.gz. */
export function parseModel(spec: string, base: string = process.cwd()): ModelArg {
    const eq = spec.indexOf("=");
    if (eq > 0 && !spec.slice(0, eq).includes("/")) {
        const name = spec.slice(0, eq);
        if (!isValidModelName(name)) throw new UsageError(invalidName(name));
        return { name, path: path.resolve(base, spec.slice(eq + 1)) };
    }
    const resolved = path.resolve(base, spec);
    const name = path.basename(resolved).replace(/\.(tar\.gz|tgz)$/, "");
    if (!isValidModelName(name)) {
        throw new UsageError(`cannot use "${name}" (from ${spec}) as a model name; ${invalidName(name)}, or give one: name=${spec}`);
    }
    return { name, path: resolved };
}

function invalidName(name: string): string {
    return `model name ${modelNameError(name)}`;
}

function integer(flag: string, raw: string, min: number, max: number): number {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
        throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
}
