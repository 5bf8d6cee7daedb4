/**
 * The command line of the local twin:
 *   npm start -- [--multi-model | --async] [--port N] [--api-key K] [--image [IMAGE]] [--workers N] [MODEL ...]
 *   npm start -- --variant NAME=PATH:WEIGHT ... [--shadow NAME=PATH[:PERCENT]] [options]
 * MODEL is `path` or `name=path`, a model directory or a `.tar.gz`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs as parseCommandLine, type ParseArgsConfig } from "util";
import { VARIANT_NAME_PATTERN } from "../contract";
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
  --variant NAME=PATH:WEIGHT
                  a production variant (model version) with its traffic weight; repeat for an A/B
                  split, e.g. --variant v1=./models/v1:90 --variant v2=./models/v2:10. Each runs its
                  own model server; callers pin one with the X-ModelApi-Variant header. Replaces MODEL.
  --shadow NAME=PATH[:PERCENT]
                  a shadow variant: a copy of PERCENT % (default 100) of the requests the production
                  variant answers, sent after the answer; its answers are compared with production's
                  and reported live and at exit, never returned. Beside one --variant or one MODEL.
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
    /** Empty: serve the example model (unless `variants` are given). */
    models: ModelArg[];
    /** Production variants with their weights; empty: one variant serving `models`. */
    variants: VariantArg[];
    shadow?: ShadowArg;
}

export interface VariantArg {
    name: string;
    /** Absolute path of a model directory or .tar.gz. */
    path: string;
    /** Traffic weight; a variant's share is its weight over the sum ("ProductionVariant", SageMaker API Reference). */
    weight: number;
}

export interface ShadowArg {
    name: string;
    path: string;
    /** Share of the production variant's requests copied to the shadow, 1 to 100. */
    percent: number;
}

/** The shadow's share when `--shadow` gives none: every request. */
export const DEFAULT_SHADOW_PERCENT = 100;

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
    variant: { type: "string", multiple: true },
    shadow: { type: "string" },
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
        variants: [],
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
            case "variant":
                opts.variants.push(parseVariant(value, base));
                break;
            case "shadow":
                if (opts.shadow) throw new UsageError("--shadow was given twice; a production variant has at most one shadow");
                opts.shadow = parseShadow(value, base);
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
    checkVariants(opts);
    return opts;
}

/** What SageMaker would refuse of the variants, and what the twin cannot combine, refused before anything starts. */
function checkVariants(opts: CliOptions): void {
    const { variants, shadow } = opts;
    if (variants.length === 0 && !shadow) return;
    const flags = variants.length > 0 ? "--variant" : "--shadow";
    if (opts.multiModel) {
        // "Supported features" (SageMaker Developer Guide): production variants and shadow tests are not for multi-model endpoints.
        throw new UsageError(`${flags} cannot be combined with --multi-model: a multi-model endpoint serves one variant`);
    }
    if (opts.async) {
        // "Supported features" (SageMaker Developer Guide): no multiple production variants on asynchronous endpoints;
        // "Exclusions" (shadow tests): no shadow beside asynchronous inference.
        throw new UsageError(`${flags} cannot be combined with --async: SageMaker has no variants or shadow on an asynchronous endpoint`);
    }
    if (variants.length > 0 && opts.models.length > 0) {
        throw new UsageError(`--variant gives each variant's model; MODEL (${opts.models[0].path}) cannot be given beside it`);
    }
    if (shadow && variants.length > 1) {
        // CreateEndpointConfig: a shadow variant goes beside exactly one production variant.
        throw new UsageError(
            `--shadow goes beside one production variant, but ${variants.length} --variant were given; SageMaker allows a shadow only beside exactly one`,
        );
    }
    if (variants.length > 0 && variants.every((v) => v.weight === 0)) {
        throw new UsageError("--variant weights are all 0; give at least one variant a weight above 0 so requests have somewhere to go");
    }
    const seen = new Map<string, string>();
    for (const name of [...variants.map((v) => v.name), ...(shadow ? [shadow.name] : [])]) {
        const key = name.toLowerCase();
        if (seen.has(key)) {
            throw new UsageError(
                `variant name "${name}" is given twice (names are compared ignoring case, as "${seen.get(key)}"); name every variant apart`,
            );
        }
        seen.set(key, name);
    }
}

/** `--variant NAME=PATH:WEIGHT`. */
export function parseVariant(spec: string, base: string = process.cwd()): VariantArg {
    const { name, rest } = variantName("--variant", spec, "NAME=PATH:WEIGHT, e.g. v1=./models/v1:90");
    const colon = rest.lastIndexOf(":");
    if (colon < 0 || colon === rest.length - 1) {
        throw new UsageError(`--variant ${spec} needs a weight after the path: ${name}=${rest.replace(/:$/, "")}:WEIGHT, e.g. :90`);
    }
    const raw = rest.slice(colon + 1);
    const weight = Number(raw);
    // Whole numbers: SageMaker keeps weights as floats, and 90/10 says what a share is without rounding.
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(weight)) {
        throw new UsageError(`--variant ${spec}: the weight must be a whole number 0 or more, got "${raw}"`);
    }
    const file = rest.slice(0, colon);
    if (file === "") throw new UsageError(`--variant ${spec} needs a model path: ${name}=PATH:${raw}`);
    return { name, path: path.resolve(base, file), weight };
}

/** `--shadow NAME=PATH[:PERCENT]`. */
export function parseShadow(spec: string, base: string = process.cwd()): ShadowArg {
    const { name, rest } = variantName("--shadow", spec, "NAME=PATH[:PERCENT], e.g. v3=./models/v3:50");
    const tail = /:([^:/\\]*)$/.exec(rest);
    let file = rest;
    let percent = DEFAULT_SHADOW_PERCENT;
    if (tail) {
        const raw = tail[1];
        percent = Number(raw);
        if (!/^\d+$/.test(raw) || percent < 1 || percent > 100) {
            throw new UsageError(`--shadow ${spec}: the percent must be a whole number from 1 to 100, got "${raw}"`);
        }
        file = rest.slice(0, tail.index);
    }
    if (file === "") throw new UsageError(`--shadow ${spec} needs a model path: ${name}=PATH`);
    return { name, path: path.resolve(base, file), percent };
}

/** The `NAME=` part of a variant spec, checked against SageMaker's VariantName rule. */
function variantName(flag: string, spec: string, form: string): { name: string; rest: string } {
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag} ${spec} is not ${form}`);
    const name = spec.slice(0, eq);
    if (!VARIANT_NAME_PATTERN.test(name)) {
        throw new UsageError(
            `${flag} ${spec}: "${name}" cannot be a variant name; SageMaker's VariantName is letters, digits and inner hyphens, at most 63 characters`,
        );
    }
    return { name, rest: spec.slice(eq + 1) };
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
