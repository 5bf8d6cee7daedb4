/**
 * @internal Checks of `endpoint.variants` and `endpoint.shadow`: what SageMaker's CreateEndpointConfig accepts
 * and which features SageMaker offers with several variants or a shadow. AWS pages are named by title (SageMaker
 * API Reference and Developer Guide).
 */
import * as fs from "fs";
import { MAX_PRODUCTION_VARIANTS, PRODUCTION_VARIANT, VARIANT_NAME_PATTERN } from "../../contract";
import { modelSourceError, NAME_RULE, s3UriError } from "../../core/input-validation";
import { withDefaults } from "../../core/defined";
import type { ModelApiArgs, VariantModelArgs } from "../args";
import type { Report } from "../checks";
import { autoscalingDefaults } from "./defaults";

/**
 * @internal The largest weight: every whole number up to 2^24 is exact in the 32-bit float SageMaker keeps a
 * weight in (`InitialVariantWeight` is a Float; the AWS provider sends and reads it as float32,
 * terraform-provider-aws endpoint_configuration.go, expandProductionVariants / flattenProductionVariants).
 */
export const MAX_VARIANT_WEIGHT = 2 ** 24;

/** The page each refused combination comes from, quoted in its message. */
const SOURCES = {
    shadowBesideOne:
        `SageMaker allows a shadow only beside exactly one production variant ("If you use this field, you can only ` +
        `specify one variant for ProductionVariants and one variant for ShadowProductionVariants", ` +
        `ShadowProductionVariants in "CreateEndpointConfig", SageMaker API Reference)`,
    serverless:
        `SageMaker serverless endpoints support neither multiple production variants nor shadow variants ` +
        `("Deploy models with Amazon SageMaker Serverless Inference", Feature exclusions; "Supported features")`,
    multiModel:
        `SageMaker multi-model endpoints support neither multiple production variants nor shadow testing ` +
        `("Supported features", multi-model endpoints)`,
    rollout:
        `a guarded rollout needs the new endpoint configuration to keep the old one's variant names ("Exclusions", ` +
        `deployment guardrails), and its rollback alarms watch a single variant; roll variants out by weight instead`,
};

/** @internal Reports every `endpoint.variants` and `endpoint.shadow` setting SageMaker would refuse. */
export function validateVariants(args: ModelApiArgs, report: Report): void {
    const endpoint = args.endpoint ?? {};
    const { variants, shadow } = endpoint;
    if (variants === undefined && shadow === undefined) {
        return;
    }
    const given = [variants !== undefined ? "endpoint.variants" : undefined, shadow !== undefined ? "endpoint.shadow" : undefined].filter(
        (p): p is string => p !== undefined,
    );
    for (const path of given) {
        if (endpoint.serverless) report(path, `cannot be combined with endpoint.serverless: ${SOURCES.serverless}`);
        if (args.multiModel) report(path, `cannot be combined with multiModel: ${SOURCES.multiModel}`);
        if (endpoint.rollout) report(path, `cannot be combined with endpoint.rollout: ${SOURCES.rollout}`);
    }
    const names: NameAt[] = [];
    const scaling = endpoint.autoscaling ? withDefaults(autoscalingDefaults(), endpoint.autoscaling) : undefined;
    const instances = (at: string, entry: { instanceType?: unknown; instanceCount?: unknown }) => {
        if (entry.instanceType !== undefined && !(typeof entry.instanceType === "string" && entry.instanceType !== "")) {
            report(`${at}.instanceType`, `must be an instance type such as "ml.m5.large"; got ${JSON.stringify(entry.instanceType)}`);
        }
        const count = entry.instanceCount;
        if (count === undefined) return;
        if (!(Number.isInteger(count) && (count as number) >= 1)) {
            report(`${at}.instanceCount`, `must be a positive integer; got ${show(count)}`);
        } else if (scaling && ((count as number) < scaling.minCapacity || (count as number) > scaling.maxCapacity)) {
            // Each variant scales on its own between the same bounds (autoscaling.ts).
            report(
                `${at}.instanceCount`,
                `(${count}) must lie between endpoint.autoscaling.minCapacity (${scaling.minCapacity}) and maxCapacity (${scaling.maxCapacity})`,
            );
        }
    };

    if (variants !== undefined) {
        if (!Array.isArray(variants) || variants.length === 0 || variants.length > MAX_PRODUCTION_VARIANTS) {
            report(
                "endpoint.variants",
                `must be a list of 1 to ${MAX_PRODUCTION_VARIANTS} variants (ProductionVariants, "CreateEndpointConfig", SageMaker API Reference); ` +
                    `got ${Array.isArray(variants) ? `${variants.length} entries` : JSON.stringify(variants)}`,
            );
        }
        const list: unknown[] = Array.isArray(variants) ? variants : [];
        let weightsValid = true;
        list.forEach((variant, i) => {
            const at = `endpoint.variants[${i}]`;
            if (!isObject(variant)) {
                report(at, `must be a variant, {name, weight} with an optional model; got ${JSON.stringify(variant)}`);
                weightsValid = false;
                return;
            }
            names.push({ path: `${at}.name`, name: variant.name as string });
            const weight = variant.weight;
            if (!(Number.isInteger(weight) && (weight as number) >= 0 && (weight as number) <= MAX_VARIANT_WEIGHT)) {
                weightsValid = false;
                report(
                    `${at}.weight`,
                    `must be a whole number from 0 to ${MAX_VARIANT_WEIGHT}; got ${show(weight)}. Weights are relative ` +
                        `(a variant gets its weight divided by the sum of all weights, "ProductionVariant", SageMaker API Reference), ` +
                        `so whole numbers express any split, e.g. 90 and 10; SageMaker keeps weights as 32-bit floats, in which a ` +
                        `fraction such as 0.1 is not exact and would read back different, making a new endpoint configuration at every update`,
                );
            }
            if (variant.model !== undefined) modelSource(`${at}.model`, variant.model, report);
            instances(at, variant);
        });
        if (weightsValid && list.length > 0 && list.every((v) => (v as { weight: number }).weight === 0)) {
            // "ProductionVariant" sets a minimum of 0 per weight; what an endpoint does with no weight above 0 is not documented.
            report(
                "endpoint.variants",
                `needs at least one variant with a weight above 0; with every weight 0 no variant would get traffic`,
            );
        }
        if (shadow !== undefined && list.length > 1) {
            report("endpoint.shadow", `cannot be combined with ${list.length} entries in endpoint.variants: ${SOURCES.shadowBesideOne}`);
        }
    }

    if (shadow !== undefined) {
        if (!isObject(shadow)) {
            report("endpoint.shadow", `must be a shadow variant, {name, model, samplingPercent}; got ${JSON.stringify(shadow)}`);
        } else {
            // Without variants the production variant is the implicit one, whose name the shadow must not take.
            if (variants === undefined) names.push({ path: "endpoint.variants", name: PRODUCTION_VARIANT, implicit: true });
            names.push({ path: "endpoint.shadow.name", name: shadow.name as string });
            if (shadow.model === undefined) {
                report("endpoint.shadow.model", `is required: the model under test, {path} or {s3Uri}`);
            } else {
                modelSource("endpoint.shadow.model", shadow.model, report);
            }
            const sampling = shadow.samplingPercent;
            if (!(Number.isInteger(sampling) && (sampling as number) >= 1 && (sampling as number) <= 100)) {
                report(
                    "endpoint.shadow.samplingPercent",
                    `must be an integer from 1 to 100, the percentage of production requests copied to the shadow ` +
                        `(SamplingPercentage, "ShadowModelVariantConfig", SageMaker API Reference); got ${show(sampling)}`,
                );
            }
            instances("endpoint.shadow", shadow);
        }
    }
    checkNames(names, report);
}

/** A variant name and where it was given; `implicit`: the production variant's name when `variants` is unset. */
interface NameAt {
    path: string;
    name: unknown;
    implicit?: boolean;
}

/** Names by SageMaker's VariantName rule, and unique ignoring case (how SageMaker compares them is not documented). */
function checkNames(names: NameAt[], report: Report): void {
    const seen = new Map<string, NameAt>();
    for (const { path, name, implicit } of names) {
        if (implicit) {
            seen.set(PRODUCTION_VARIANT.toLowerCase(), { path, name: PRODUCTION_VARIANT, implicit });
            continue;
        }
        if (typeof name !== "string" || !VARIANT_NAME_PATTERN.test(name)) {
            report(
                path,
                `must be ${NAME_RULE}, at most 63 characters (VariantName, "ProductionVariant", SageMaker API Reference); got ${JSON.stringify(name)}`,
            );
            continue;
        }
        const first = seen.get(name.toLowerCase());
        if (first) {
            report(
                path,
                first.implicit
                    ? `("${name}") is the name of the production variant when endpoint.variants is unset; choose another`
                    : `("${name}") repeats ${first.path} ("${first.name}"): variant names must be unique, compared ignoring case`,
            );
            continue;
        }
        seen.set(name.toLowerCase(), { path, name });
    }
}

/** A variant's model: exactly one of a local path that exists and a well-formed S3 URI. */
function modelSource(at: string, model: unknown, report: Report): void {
    if (!isObject(model)) {
        report(at, `must be {path} or {s3Uri}; got ${JSON.stringify(model)}`);
        return;
    }
    const source = model as VariantModelArgs;
    const sourceError = modelSourceError(source);
    if (sourceError) {
        report(at, sourceError);
        return;
    }
    if (source.path !== undefined && !(typeof source.path === "string" && fs.existsSync(source.path))) {
        report(`${at}.path`, `${JSON.stringify(source.path)} does not exist`);
    }
    const uriError = source.s3Uri !== undefined ? s3UriError(source.s3Uri) : undefined;
    if (uriError) report(`${at}.s3Uri`, uriError);
}

/** A value as a message shows it: numbers as JavaScript prints them (JSON has no Infinity or NaN). */
function show(value: unknown): string {
    return typeof value === "number" ? String(value) : JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
