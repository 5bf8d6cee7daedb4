/**
 * The stack's configuration (`modelapi:*` keys), checked and turned into the ModelApi instances to
 * create. Kept apart from the Pulumi entry point so it can be tested without a Pulumi engine.
 */
import * as fs from "fs";
import * as path from "path";
import type { ApiArgs, EndpointArgs, ImageArgs, ModelApiArgs, ModelSpec, NetworkArgs } from "../components";
import type { VpcPlan } from "./network";
import { MAX_COMPONENT_NAME_LENGTH, NAME_PATTERN } from "../components/naming";

/** The configuration namespace: the project's name. */
export const NAMESPACE = "modelapi";

/** The config keys the program reads, each under {@link NAMESPACE}. */
export const CONFIG_KEYS = ["models", "multiModel", "name", "endpoint", "api", "image", "tags", "network"] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** The raw values of the config keys, as Pulumi stores them (JSON text for lists and maps). */
export type RawConfig = Partial<Record<ConfigKey, string | undefined>>;

/** A configuration mistake: the message names the key and what is expected. */
export class ConfigError extends Error {
    constructor(key: string, message: string) {
        super(`${NAMESPACE}:${key} ${message}`);
        this.name = "ConfigError";
    }
}

/** One ModelApi to create. */
export interface PlannedApi {
    name: string;
    args: ModelApiArgs;
}

/**
 * The Pulumi project directory: where Pulumi.yaml is, found by walking up from `from`. Used when the
 * engine does not report its root directory (older CLIs).
 */
export function findProjectDir(from: string): string {
    for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no Pulumi.yaml above ${from}`);
        }
    }
}

/** The default name of the one ModelApi of a multi-model stack. */
export const DEFAULT_MULTI_MODEL_NAME = "models";

const EXAMPLE_MODEL_HINT = "npm run example-model -- models/iris";

// Known fields, so a misspelt key is an error instead of a silently ignored setting.
const ENDPOINT_FIELDS = {
    instanceType: {},
    instanceCount: {},
    networkIsolation: {},
    logRetentionDays: {},
    environment: undefined,
    serverless: { memorySizeMb: {}, maxConcurrency: {} },
    autoscaling: { minCapacity: {}, maxCapacity: {}, targetInvocationsPerInstance: {}, scaleInCooldownSeconds: {}, scaleOutCooldownSeconds: {} },
    dataCapture: { samplingPercentage: {} },
};
const API_FIELDS = {
    auth: {},
    stageName: {},
    accessLogs: {},
    docs: {},
    logRetentionDays: {},
    throttle: { rateLimit: {}, burstLimit: {} },
    quota: { limit: {}, period: {} },
    function: { timeoutSeconds: {}, memorySizeMb: {}, logRetentionDays: {} },
};
const IMAGE_FIELDS = { context: {}, dockerfile: {}, platform: {}, keepImages: {}, uri: {}, repositoryArn: {} };
const NETWORK_FIELDS = { createVpc: {}, cidrBlock: {}, availabilityZoneCount: {}, subnetIds: {}, securityGroupIds: {}, functionInVpc: {} };

/** The default address range of a VPC the stack creates. */
export const DEFAULT_VPC_CIDR = "10.0.0.0/16";
/** Subnets in this many Availability Zones unless asked otherwise: SageMaker asks for at least two. */
export const DEFAULT_AVAILABILITY_ZONES = 2;

/**
 * The stack's private network, if any: `{createVpc: true}` (a new VPC, see stacks/network.ts) or the
 * `subnetIds` and `securityGroupIds` of an existing one; `functionInVpc` puts the Lambda inside too.
 */
export function planNetwork(raw: RawConfig): { vpc?: VpcPlan; existing?: NetworkArgs } {
    const value = parseObject("network", raw.network, NETWORK_FIELDS);
    if (value === undefined) {
        return {};
    }
    const functionInVpc = value.functionInVpc ?? false;
    if (typeof functionInVpc !== "boolean") {
        throw new ConfigError("network.functionInVpc", `must be true or false; got ${JSON.stringify(functionInVpc)}`);
    }
    const existing = value.subnetIds !== undefined || value.securityGroupIds !== undefined;
    if (value.createVpc === true) {
        if (existing) {
            throw new ConfigError("network", `takes either createVpc: true or subnetIds and securityGroupIds, not both`);
        }
        const cidrBlock = value.cidrBlock ?? DEFAULT_VPC_CIDR;
        if (typeof cidrBlock !== "string" || !/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/.test(cidrBlock)) {
            throw new ConfigError("network.cidrBlock", `must be an IPv4 range from /16 to /24, e.g. "${DEFAULT_VPC_CIDR}"; got ${JSON.stringify(cidrBlock)}`);
        }
        const zones = value.availabilityZoneCount ?? DEFAULT_AVAILABILITY_ZONES;
        if (!(Number.isInteger(zones) && (zones as number) >= 2 && (zones as number) <= 6)) {
            throw new ConfigError("network.availabilityZoneCount", `must be an integer from 2 to 6; got ${JSON.stringify(zones)}`);
        }
        return { vpc: { cidrBlock, availabilityZoneCount: zones as number, functionInVpc } };
    }
    if (value.createVpc !== undefined && value.createVpc !== false) {
        throw new ConfigError("network.createVpc", `must be true or false; got ${JSON.stringify(value.createVpc)}`);
    }
    if (value.cidrBlock !== undefined || value.availabilityZoneCount !== undefined) {
        throw new ConfigError("network", `cidrBlock and availabilityZoneCount apply only with createVpc: true`);
    }
    const ids = (key: "subnetIds" | "securityGroupIds") => {
        const list = value[key];
        if (!Array.isArray(list) || !list.every((id) => typeof id === "string")) {
            throw new ConfigError(`network.${key}`, `must be a list of ids; or set createVpc: true for a new VPC`);
        }
        return list as string[];
    };
    return { existing: { subnetIds: ids("subnetIds"), securityGroupIds: ids("securityGroupIds"), functionInVpc } };
}

/**
 * Checks the configuration and plans the ModelApi instances: one per model, or with `multiModel: true`
 * one multi-model ModelApi serving them all. Relative model paths and image contexts resolve against
 * `projectDir`, the directory of Pulumi.yaml.
 */
export function planStack(raw: RawConfig, projectDir: string): PlannedApi[] {
    const models = parseModels(raw.models, projectDir);
    const multiModel = parseBoolean("multiModel", raw.multiModel) ?? false;
    const shared = {
        endpoint: parseObject("endpoint", raw.endpoint, ENDPOINT_FIELDS) as EndpointArgs | undefined,
        api: parseObject("api", raw.api, API_FIELDS) as ApiArgs | undefined,
        image: resolveImage(parseObject("image", raw.image, IMAGE_FIELDS) as ImageArgs | undefined, projectDir),
        tags: parseTags(raw.tags),
        // A VPC the stack creates joins the args in program.ts, once it exists.
        network: planNetwork(raw).existing,
    };
    if (multiModel) {
        const name = raw.name ?? DEFAULT_MULTI_MODEL_NAME;
        if (!NAME_PATTERN.test(name) || name.length > MAX_COMPONENT_NAME_LENGTH) {
            throw new ConfigError("name", `must be letters, digits and hyphens, at most ${MAX_COMPONENT_NAME_LENGTH} characters; got "${name}"`);
        }
        return [{ name, args: { multiModel: true, models, ...defined(shared) } }];
    }
    if (raw.name !== undefined) {
        throw new ConfigError("name", `names the multi-model deployment; without multiModel: true each model's API is named after the model`);
    }
    models.forEach((model, i) => {
        if (model.name.length > MAX_COMPONENT_NAME_LENGTH) {
            throw new ConfigError(
                `models[${i}].name`,
                `"${model.name}" is ${model.name.length} characters; each model gets its own API named after it, which allows at most ${MAX_COMPONENT_NAME_LENGTH}`,
            );
        }
    });
    return models.map((model) => ({ name: model.name, args: { models: [model], ...defined(shared) } }));
}

function parseModels(raw: string | undefined, projectDir: string): ModelSpec[] {
    const expected = `must be a list of models, each {name, path} or {name, s3Uri}, e.g. [{"name": "iris", "path": "models/iris"}]`;
    if (raw === undefined) {
        throw new ConfigError("models", `is not set; it ${expected}`);
    }
    const value = parseJson("models", raw);
    if (!Array.isArray(value) || value.length === 0) {
        throw new ConfigError("models", expected);
    }
    const seen = new Set<string>();
    return value.map((entry, i): ModelSpec => {
        const key = `models[${i}]`;
        if (!isObject(entry)) {
            throw new ConfigError(key, expected);
        }
        checkFields(key, entry, { name: {}, path: {}, s3Uri: {} });
        const { name, path: modelPath, s3Uri } = entry;
        if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
            throw new ConfigError(`${key}.name`, `must be letters, digits and hyphens, starting and ending with a letter or digit; got ${JSON.stringify(name)}`);
        }
        if (seen.has(name)) {
            throw new ConfigError(`${key}.name`, `"${name}" is used more than once; model names must be unique`);
        }
        seen.add(name);
        if ((modelPath === undefined) === (s3Uri === undefined)) {
            throw new ConfigError(key, `("${name}") must set exactly one of path and s3Uri`);
        }
        if (s3Uri !== undefined) {
            if (typeof s3Uri !== "string") {
                throw new ConfigError(`${key}.s3Uri`, `must be a string like s3://bucket/key/model.tar.gz`);
            }
            return { name, s3Uri };
        }
        if (typeof modelPath !== "string" || modelPath === "") {
            throw new ConfigError(`${key}.path`, `must be a model directory or .tar.gz file`);
        }
        const resolved = path.resolve(projectDir, modelPath);
        if (!fs.existsSync(resolved)) {
            throw new ConfigError(
                `${key}.path`,
                `"${modelPath}" does not exist (looked for ${resolved}); train a model there first, e.g. the example model: ${EXAMPLE_MODEL_HINT}`,
            );
        }
        return { name, path: resolved };
    });
}

function resolveImage(image: ImageArgs | undefined, projectDir: string): ImageArgs | undefined {
    if (!image) {
        return undefined;
    }
    const resolve = (p: string | undefined) => (p === undefined ? undefined : path.resolve(projectDir, p));
    return defined({ ...image, context: resolve(image.context), dockerfile: resolve(image.dockerfile) });
}

function parseBoolean(key: ConfigKey, raw: string | undefined): boolean | undefined {
    if (raw === undefined) {
        return undefined;
    }
    if (raw === "true" || raw === "false") {
        return raw === "true";
    }
    throw new ConfigError(key, `must be true or false; got "${raw}"`);
}

function parseObject(key: ConfigKey, raw: string | undefined, fields: Fields): Record<string, unknown> | undefined {
    if (raw === undefined) {
        return undefined;
    }
    const value = parseJson(key, raw);
    if (!isObject(value)) {
        throw new ConfigError(key, `must be a map of settings; got ${JSON.stringify(value)}`);
    }
    checkFields(key, value, fields);
    return value;
}

function parseTags(raw: string | undefined): { [key: string]: string } | undefined {
    if (raw === undefined) {
        return undefined;
    }
    const value = parseJson("tags", raw);
    if (!isObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
        throw new ConfigError("tags", `must be a map of string values, e.g. {"team": "ml"}`);
    }
    return value as { [key: string]: string };
}

function parseJson(key: string, raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        throw new ConfigError(key, `is not valid structured config; set it as a YAML list or map in the stack file`);
    }
}

/** Field names allowed at each level; `undefined` means a free-form map (e.g. environment variables). */
type Fields = { [name: string]: Fields | undefined };

function checkFields(key: string, value: Record<string, unknown>, fields: Fields): void {
    for (const [name, child] of Object.entries(value)) {
        if (!(name in fields)) {
            throw new ConfigError(key, `has an unknown setting "${name}"; expected one of ${Object.keys(fields).join(", ")}`);
        }
        const nested = fields[name];
        if (nested && Object.keys(nested).length > 0) {
            if (!isObject(child)) {
                throw new ConfigError(`${key}.${name}`, `must be a map of settings; got ${JSON.stringify(child)}`);
            }
            checkFields(`${key}.${name}`, child, nested);
        }
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops undefined fields, so they neither show in the args nor override a default. */
function defined<T extends object>(obj: T): T {
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
