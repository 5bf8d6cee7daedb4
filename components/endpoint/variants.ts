/**
 * @internal The production variants and the shadow of an endpoint given `endpoint.variants` or `endpoint.shadow`:
 * the weight each gets in the EndpointConfig, the model data each serves, and the short key that names each
 * variant's own child resources.
 */
import * as crypto from "crypto";
import { PRODUCTION_VARIANT } from "../../contract";
import type { ModelArtifacts } from "../artifacts/model-artifacts";
import type { EndpointSettings, VariantSettings } from "./defaults";

/** @internal One variant as the EndpointConfig gets it. */
export interface PlannedVariant extends VariantSettings {
    /** Its `initialVariantWeight`. */
    weight: number;
    /** The model data it serves. */
    data: ModelArtifacts;
}

/** @internal The variants of an endpoint with `endpoint.variants` or `endpoint.shadow`. */
export interface VariantPlan {
    production: PlannedVariant[];
    shadow?: PlannedVariant;
    /** The production variants, then the shadow. */
    all: PlannedVariant[];
    /** The distinct model data the variants serve, in the order of `all`: one SageMaker Model each. */
    models: ModelArtifacts[];
}

/** @internal Hex characters of a variant's key in its children's logical names. */
export const VARIANT_KEY_LENGTH = 6;

/**
 * @internal A variant's part of its children's logical names (autoscaling, alarms): a short hash, so a name of
 * up to 63 characters keeps the children's names short, and the same variant always gets the same children.
 */
export function variantKey(variantName: string): string {
    return crypto.createHash("sha256").update(variantName).digest("hex").slice(0, VARIANT_KEY_LENGTH);
}

/**
 * @internal A variant's suffix in its children's logical names. The variant named as the single variant always was
 * keeps the children it had, unsuffixed: a scalable target is identified by its ResourceId
 * (`endpoint/<endpoint>/variant/<variant>`, "RegisterScalableTarget", Application Auto Scaling API Reference), so a
 * renamed target for the same variant would be registered again and then deregistered by the old one's deletion
 * at the end of the update, leaving the variant without autoscaling.
 */
export function variantSuffix(variantName: string): string {
    return variantName === PRODUCTION_VARIANT ? "" : `-${variantKey(variantName)}`;
}

/**
 * @internal The shadow's `initialVariantWeight` beside a production variant of weight 1. AWS's shadow samples set
 * the production weight to 1 and the shadow's to the sampled fraction: "We set the InitialVariantWeight in the
 * ShadowProductionVariants to sample and send 50% of the production variant requests to the shadow variant"
 * (aws/amazon-sagemaker-examples, Shadow_variant.ipynb; the same "VariantWeight" wording in
 * sm-shadow_variant_shadow_api.ipynb). The fraction is given as the 32-bit float SageMaker keeps: the AWS
 * provider sends the weight as float32 and reads it back widened (terraform-provider-aws
 * endpoint_configuration.go, expandProductionVariants / flattenProductionVariants), so 0.1 would read back as
 * 0.10000000149011612, differ from the program's 0.1, and replace the EndpointConfig at every update (its
 * variant fields are ForceNew). Math.fround gives the value that reads back unchanged and sends the same float32.
 */
export function shadowWeight(samplingPercent: number): number {
    return Math.fround(samplingPercent / 100);
}

/**
 * @internal The variants, or undefined for an endpoint without `variants` and `shadow` (its one variant is
 * built as before variants existed). Without `variants` the production variant is the implicit one of
 * `models`, named as before. A variant without a model of its own serves `main`; `own` holds the artifacts of
 * those with one, by variant name.
 */
export function planVariants(
    config: EndpointSettings,
    main: ModelArtifacts,
    own: ReadonlyMap<string, ModelArtifacts>,
): VariantPlan | undefined {
    if (config.variants === undefined && config.shadow === undefined) {
        return undefined;
    }
    const implicit: VariantSettings = {
        name: PRODUCTION_VARIANT,
        weight: 1,
        instanceType: config.instanceType,
        instanceCount: config.instanceCount,
        instanceCountDefaulted: config.instanceCountDefaulted,
    };
    const data = (v: VariantSettings) => (v.model ? own.get(v.name)! : main);
    // With a shadow, the one production variant gets weight 1, as in AWS's samples (see shadowWeight).
    const production = (config.variants ?? [implicit]).map((v) => ({
        ...v,
        weight: config.shadow ? 1 : v.weight,
        data: data(v),
    }));
    const shadow = config.shadow && { ...config.shadow, weight: shadowWeight(config.shadow.weight), data: data(config.shadow) };
    const all = [...production, ...(shadow ? [shadow] : [])];
    const models = [...new Map(all.map((v) => [v.data.contentKey, v.data])).values()];
    return { production, ...(shadow ? { shadow } : {}), all, models };
}

/**
 * @internal The EndpointConfig inputs that hold a defaulted instance count: ignored on update, as the single
 * variant's is (endpoint.ts), so a new autoscaling floor does not make a new configuration.
 */
export function defaultedCounts(plan: VariantPlan): string[] {
    return [
        ...plan.production.flatMap((v, i) => (v.instanceCountDefaulted ? [`productionVariants[${i}].initialInstanceCount`] : [])),
        ...(plan.shadow?.instanceCountDefaulted ? ["shadowProductionVariants[0].initialInstanceCount"] : []),
    ];
}
