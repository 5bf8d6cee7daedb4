/**
 * The stack's configuration (`modelapi:*` keys), checked and turned into the ModelApi instances to
 * create. Kept apart from the Pulumi entry point so it can be tested without a Pulumi engine.
 */
import * as fs from "fs";
import * as path from "path";
import type {
    ApiArgs,
    ArtifactsArgs,
    EndpointArgs,
    ImageArgs,
    ModelApiArgs,
    ModelSpec,
    MonitoringArgs,
    NetworkArgs,
    VariantModelArgs,
} from "../components";
import { MODEL_API_KEYS, NETWORK_KEYS } from "../components/argument-keys";
import { definedFields } from "../core/defined";
import { componentNameError, duplicateNameError, modelNameError, modelSourceError, s3UriError } from "../core/input-validation";
import { isKnownKey, type KeysOf, type KeyTable, nestedTable, unknownKeys } from "../core/known-keys";
import { MAX_COMPONENT_NAME_LENGTH } from "../core/naming";
import type { VpcPlan } from "./network";

/** The configuration namespace: the project's name. */
export const NAMESPACE = "modelapi";

/** The settings of `modelapi:network` beyond the argument's: a VPC the stack creates. */
interface CreateVpcSettings {
    createVpc: boolean;
    cidrBlock: string;
    availabilityZoneCount: number;
}

/** `network`: the argument's keys, or `createVpc` (with its range and zones) for a VPC the stack creates. */
const NETWORK_FIELDS = {
    ...NETWORK_KEYS,
    createVpc: true,
    cidrBlock: true,
    availabilityZoneCount: true,
} as const satisfies KeysOf<NetworkArgs & CreateVpcSettings>;

/**
 * Every `modelapi:*` key the program reads: each argument of ModelApiArgs with the component's own key
 * tables (components/argument-keys.ts), plus `name` (the multi-model ModelApi's name) and the network's
 * `createVpc`. Any other key, at any level, stops the program, naming it.
 */
export const CONFIG_FIELDS = {
    models: MODEL_API_KEYS.models,
    multiModel: MODEL_API_KEYS.multiModel,
    name: true,
    image: MODEL_API_KEYS.image,
    endpoint: MODEL_API_KEYS.endpoint,
    api: MODEL_API_KEYS.api,
    artifacts: MODEL_API_KEYS.artifacts,
    monitoring: MODEL_API_KEYS.monitoring,
    network: NETWORK_FIELDS,
    tags: MODEL_API_KEYS.tags,
} as const satisfies KeysOf<Omit<ModelApiArgs, "network"> & { name: string; network: NetworkArgs & CreateVpcSettings }>;

/** The config keys the program reads, each under {@link NAMESPACE}. */
export const CONFIG_KEYS = Object.keys(CONFIG_FIELDS) as ConfigKey[];
export type ConfigKey = keyof typeof CONFIG_FIELDS;

/**
 * The raw values of the stack's `modelapi:*` keys without the namespace, as Pulumi stores them (JSON text
 * for lists and maps). Keys the program does not know are passed too, so they can be refused.
 */
export type RawConfig = { [key: string]: string | undefined };

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

/** The default address range of a VPC the stack creates. */
export const DEFAULT_VPC_CIDR = "10.0.0.0/16";
/** Subnets in this many Availability Zones unless asked otherwise: SageMaker asks for at least two. */
export const DEFAULT_AVAILABILITY_ZONES = 2;

/**
 * The stack's private network, if any: `{createVpc: true}` (a new VPC, see stacks/network.ts) or the
 * `subnetIds` and `securityGroupIds` of an existing one; `functionInVpc` puts the Lambda inside too.
 */
export function planNetwork(raw: RawConfig): { vpc?: VpcPlan; existing?: NetworkArgs } {
    const value = parseObject("network", raw.network, CONFIG_FIELDS.network);
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
            throw new ConfigError(
                "network.cidrBlock",
                `must be an IPv4 range from /16 to /24, e.g. "${DEFAULT_VPC_CIDR}"; got ${JSON.stringify(cidrBlock)}`,
            );
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
    checkKnownKeys(raw);
    const models = parseModels(raw.models, projectDir);
    const multiModel = parseBoolean("multiModel", raw.multiModel) ?? false;
    const shared = {
        endpoint: resolveEndpoint(parseObject("endpoint", raw.endpoint, CONFIG_FIELDS.endpoint) as EndpointArgs | undefined, projectDir),
        api: parseObject("api", raw.api, CONFIG_FIELDS.api) as ApiArgs | undefined,
        image: resolveImage(parseObject("image", raw.image, CONFIG_FIELDS.image) as ImageArgs | undefined, projectDir),
        artifacts: parseObject("artifacts", raw.artifacts, CONFIG_FIELDS.artifacts) as ArtifactsArgs | undefined,
        monitoring: parseObject("monitoring", raw.monitoring, CONFIG_FIELDS.monitoring) as MonitoringArgs | undefined,
        tags: parseTags(raw.tags),
        // A VPC the stack creates joins the args in program.ts, once it exists.
        network: planNetwork(raw).existing,
    };
    if (multiModel) {
        const name = raw.name ?? DEFAULT_MULTI_MODEL_NAME;
        const nameError = componentNameError(name);
        if (nameError) {
            throw new ConfigError("name", nameError);
        }
        return [{ name, args: { multiModel: true, models, ...definedFields(shared) } }];
    }
    if (raw.name !== undefined) {
        throw new ConfigError(
            "name",
            `names the multi-model deployment; without multiModel: true each model's API is named after the model`,
        );
    }
    models.forEach((model, i) => {
        if (model.name.length > MAX_COMPONENT_NAME_LENGTH) {
            throw new ConfigError(
                `models[${i}].name`,
                `"${model.name}" is ${model.name.length} characters; each model gets its own API named after it, which allows at most ${MAX_COMPONENT_NAME_LENGTH}`,
            );
        }
    });
    return models.map((model) => ({ name: model.name, args: { models: [model], ...definedFields(shared) } }));
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
    return value.map((entry, i): ModelSpec => {
        const key = `models[${i}]`;
        if (!isObject(entry)) {
            throw new ConfigError(key, expected);
        }
        checkFields(key, entry, CONFIG_FIELDS.models[0]);
        const { name, path: modelPath, s3Uri } = entry;
        const nameError = modelNameError(name);
        if (nameError) {
            throw new ConfigError(`${key}.name`, nameError);
        }
        const duplicate = duplicateNameError(value.slice(0, i + 1).map((m) => (isObject(m) ? String(m.name) : "")));
        if (duplicate) {
            throw new ConfigError(`${key}.name`, duplicate.message);
        }
        const sourceError = modelSourceError({ path: modelPath, s3Uri });
        if (sourceError) {
            throw new ConfigError(key, `(${JSON.stringify(name)}) ${sourceError}`);
        }
        if (s3Uri !== undefined) {
            const uriError = s3UriError(s3Uri);
            if (uriError) {
                throw new ConfigError(`${key}.s3Uri`, uriError);
            }
            return { name: name as string, s3Uri: s3Uri as string };
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
        return { name: name as string, path: resolved };
    });
}

function resolveImage(image: ImageArgs | undefined, projectDir: string): ImageArgs | undefined {
    if (!image) {
        return undefined;
    }
    const resolve = (p: string | undefined) => (p === undefined ? undefined : path.resolve(projectDir, p));
    return definedFields({ ...image, context: resolve(image.context), dockerfile: resolve(image.dockerfile) });
}

/** Variant and shadow model paths resolve against the project directory, as `models` paths do. */
function resolveEndpoint(endpoint: EndpointArgs | undefined, projectDir: string): EndpointArgs | undefined {
    if (!endpoint || (endpoint.variants === undefined && endpoint.shadow === undefined)) {
        return endpoint;
    }
    const resolveModel = <T extends { model?: VariantModelArgs }>(variant: T): T =>
        isObject(variant) && isObject(variant.model) && typeof variant.model.path === "string"
            ? { ...variant, model: { ...variant.model, path: path.resolve(projectDir, variant.model.path) } }
            : variant;
    return {
        ...endpoint,
        ...(Array.isArray(endpoint.variants) ? { variants: endpoint.variants.map(resolveModel) } : {}),
        ...(endpoint.shadow !== undefined ? { shadow: resolveModel(endpoint.shadow) } : {}),
    };
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

function parseObject(key: ConfigKey, raw: string | undefined, fields: KeyTable): Record<string, unknown> | undefined {
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

/** Stops at the first `modelapi:*` key the program does not read, e.g. a misspelt `modelapi:endpont`. */
function checkKnownKeys(raw: RawConfig): void {
    const [unknown] = unknownKeys(raw, CONFIG_FIELDS);
    if (unknown) {
        throw new ConfigError(
            unknown.key,
            `is not a setting of this program; expected one of ${CONFIG_KEYS.map((k) => `${NAMESPACE}:${k}`).join(", ")}`,
        );
    }
}

/** Stops at the first setting of a level (and the levels below) that its key table does not know. */
function checkFields(key: string, value: Record<string, unknown>, fields: KeyTable): void {
    for (const [name, child] of Object.entries(value)) {
        if (!isKnownKey(fields, name)) {
            throw new ConfigError(key, `has an unknown setting "${name}"; expected one of ${Object.keys(fields).join(", ")}`);
        }
        const nested = nestedTable(fields[name]);
        if (nested && !nested.list) {
            if (!isObject(child)) {
                throw new ConfigError(`${key}.${name}`, `must be a map of settings; got ${JSON.stringify(child)}`);
            }
            checkFields(`${key}.${name}`, child, nested.table);
        }
        if (nested && nested.list && Array.isArray(child)) {
            // Lists of settings (endpoint.variants): each entry's keys are checked; what the values must be is the component's to say.
            child.forEach((entry, i) => {
                if (isObject(entry)) checkFields(`${key}.${name}[${i}]`, entry, nested.table);
            });
        }
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
