/**
 * The command line of the local twin:
 *   npm start -- [--multi-model] [--port N] [--api-key K] [--image IMAGE] [--workers N] [MODEL ...]
 * MODEL is `path` or `name=path`, a model directory or a `.tar.gz`.
 */
import * as path from "path";
import { duplicateNameError, modelNameError } from "../components/input-validation";

export const DEFAULT_PORT = 3000;

export const USAGE = `Usage: npm start -- [options] [MODEL ...]

Serves models through the same data path as the deployed API: a local API Gateway (API key
checked) → the real Lambda handler → a local SageMaker runtime → the serving container's server.

MODEL           a model directory or a .tar.gz, as "path" or "name=path" (repeatable).
                Without MODEL the example model (scikit-learn on iris) is served, trained on first use.
Options:
  --multi-model   serve every MODEL from one multi-model endpoint: POST /models/{name}/predict
  --port N        port of the local API on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --api-key K     the API key clients send in x-api-key (default: $MODELAPI_API_KEY, else random per run)
  --image IMAGE   run the built serving image (Docker, or podman) instead of the host Python server
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
    port: number;
    apiKey?: string;
    image?: string;
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

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
    const opts: CliOptions = { help: false, multiModel: false, port: DEFAULT_PORT, workers: 1, models: [] };
    const specs: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        const value = (): string => {
            const v = inline ?? argv[++i];
            if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "-h":
            case "--help":
                opts.help = true;
                break;
            case "--multi-model":
                opts.multiModel = true;
                break;
            case "--port":
                opts.port = integer(flag, value(), 0, 65535);
                break;
            case "--api-key":
                opts.apiKey = value();
                break;
            case "--image":
                opts.image = value();
                break;
            case "--workers":
                opts.workers = integer(flag, value(), 1, 64);
                break;
            default:
                if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}; see --help`);
                specs.push(arg);
        }
    }
    opts.apiKey ??= env.MODELAPI_API_KEY?.trim() || undefined;
    // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
    const base = env.INIT_CWD || process.cwd();
    opts.models = specs.map((spec) => parseModel(spec, base));
    if (opts.models.length > 1 && !opts.multiModel) {
        throw new UsageError(`${opts.models.length} models were given; serving several needs --multi-model (one endpoint, POST /models/{name}/predict)`);
    }
    const duplicate = duplicateNameError(opts.models.map((m) => m.name));
    if (duplicate) throw new UsageError(`model name ${duplicate.message}; name them apart with name=path`);
    return opts;
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
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
}
