/**
 * @internal Defaults of `endpoint`, as small pure functions merged as `{ ...defaults, ...args.endpoint.x }`;
 * `args` is never mutated. The README's Arguments table is checked against them
 * (test/components/readme-defaults.test.ts).
 */
import type { EndpointKind } from "../../contract";
import { definedFields, withDefaults } from "../../core/defined";
import type { AsyncArgs, AutoscalingArgs, DataCaptureArgs, EndpointArgs, RolloutArgs, ServerlessArgs, VariantModelArgs } from "../args";
import { DEFAULT_LOG_RETENTION_DAYS } from "../log-retention";

/** @internal How the endpoint serves, from its arguments. */
export function servedKind(endpoint: EndpointArgs = {}): EndpointKind {
    return endpoint.serverless ? "serverless" : endpoint.async ? "async" : "realtime";
}

/** @internal `endpoint.rollout` with its defaults. */
export interface RolloutSettings {
    trafficShifting: string;
    canaryPercent: number;
    linearStepPercent: number;
    bakeSeconds: number;
    finalBakeSeconds: number;
    maximumSeconds?: number;
}

/**
 * @internal One production variant, or the shadow, with the endpoint's instance settings where it has none of
 * its own. `model` unset: the model of `models`.
 */
export interface VariantSettings {
    name: string;
    /** A production variant's weight; for the shadow, `samplingPercent`. */
    weight: number;
    model?: VariantModelArgs;
    instanceType: string;
    instanceCount: number;
    /** Whether neither the variant nor the endpoint sets the instance count. */
    instanceCountDefaulted: boolean;
}

/** @internal `endpoint.async.notifications` with its defaults: the topics given, and whether to create the others. */
export interface AsyncNotificationsSettings {
    createTopics: boolean;
    successTopicArn?: string;
    errorTopicArn?: string;
}

/** @internal `endpoint.async` with its defaults. */
export interface AsyncSettings {
    /** Unset: SageMaker chooses. */
    maxConcurrentInvocationsPerInstance?: number;
    scaleToZero: boolean;
    targetBacklogPerInstance: number;
    resultExpirationDays: number;
    /** Unset: no notifications. */
    notifications?: AsyncNotificationsSettings;
}

/** @internal `endpoint` with its defaults. */
export interface EndpointSettings {
    serverless?: Required<ServerlessArgs>;
    instanceType: string;
    instanceCount: number;
    /** Whether `instanceCount` is the default (1, or `autoscaling.minCapacity`) rather than set. */
    instanceCountDefaulted: boolean;
    networkIsolation: boolean;
    autoscaling?: Required<AutoscalingArgs>;
    dataCapture?: Required<DataCaptureArgs>;
    environment: { [key: string]: string };
    logRetentionDays: number;
    rollout?: RolloutSettings;
    /** The production variants as given; undefined: the one implicit variant of `models`. */
    variants?: VariantSettings[];
    /** The shadow, its `weight` being `samplingPercent`. */
    shadow?: VariantSettings;
    /** Unset: a real-time or serverless endpoint. */
    async?: AsyncSettings;
}

/** @internal */
export function instanceDefaults(autoscaling: Required<AutoscalingArgs> | undefined) {
    // With autoscaling the endpoint starts at its floor rather than at a number autoscaling would undo; a
    // configuration starts at least one instance even when the floor is 0 (InitialInstanceCount, 1 or more:
    // terraform-provider-aws endpoint_configuration.go, IntAtLeast(1)).
    return { instanceType: "ml.m5.large", instanceCount: autoscaling ? Math.max(1, autoscaling.minCapacity) : 1 };
}

/**
 * @internal `endpoint.async`'s defaults. targetBacklogPerInstance 5 is the TargetValue of "Autoscale an
 * asynchronous endpoint" (SageMaker Developer Guide); results are kept a week.
 */
export function asyncDefaults(): Required<Omit<AsyncArgs, "maxConcurrentInvocationsPerInstance" | "notifications">> {
    return { scaleToZero: true, targetBacklogPerInstance: 5, resultExpirationDays: 7 };
}

/** @internal `endpoint.async` with its defaults. */
export function asyncSettings(async: AsyncArgs): AsyncSettings {
    const notifications = async.notifications
        ? { createTopics: async.notifications.createTopics ?? false, ...definedFields(async.notifications) }
        : undefined;
    return {
        ...asyncDefaults(),
        ...definedFields({
            scaleToZero: async.scaleToZero,
            targetBacklogPerInstance: async.targetBacklogPerInstance,
            resultExpirationDays: async.resultExpirationDays,
        }),
        maxConcurrentInvocationsPerInstance: async.maxConcurrentInvocationsPerInstance,
        notifications,
    };
}

/**
 * @internal `endpoint.autoscaling` with its defaults; on an asynchronous endpoint that scales to zero it is
 * always on, with a floor of 0.
 */
export function autoscalingSettings(endpoint: EndpointArgs, async: AsyncSettings | undefined): Required<AutoscalingArgs> | undefined {
    const scaleToZero = async?.scaleToZero === true;
    if (!endpoint.autoscaling && !scaleToZero) {
        return undefined;
    }
    return withDefaults({ ...autoscalingDefaults(), ...(scaleToZero ? { minCapacity: 0 } : {}) }, endpoint.autoscaling ?? {});
}

/** @internal */
export function serverlessDefaults(): Required<ServerlessArgs> {
    return { memorySizeMb: 2048, maxConcurrency: 5 };
}

/** @internal */
export function autoscalingDefaults(): Required<AutoscalingArgs> {
    return {
        minCapacity: 1,
        maxCapacity: 4,
        targetInvocationsPerInstance: 100,
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 60,
    };
}

/** @internal */
export function dataCaptureDefaults(): Required<DataCaptureArgs> {
    return { samplingPercentage: 100 };
}

/** @internal Network isolation is on unless the endpoint is serverless, which does not support it. */
export function networkIsolationDefault(serverless: boolean): boolean {
    return !serverless;
}

/**
 * @internal `endpoint.rollout`'s defaults for a traffic shifting mode. bakeSeconds: over three times the longest
 * default rollback alarm window (3 x 60 s), so an alarm that starts breaching late in a shift still trips inside
 * the bake (WaitIntervalInSeconds allows 0 to 3600, TrafficRoutingConfig); linear bakes after every step, so its
 * bakes are shorter (still over the alarm window), or the default steps would outlast the AWS provider's wait
 * (see rolloutWorstCaseSeconds). finalBakeSeconds keeps the old fleet 5 minutes after the last shift
 * (TerminationWaitInSeconds, BlueGreenUpdatePolicy).
 */
export function rolloutDefaults(trafficShifting: string = "allAtOnce"): Required<Omit<RolloutArgs, "maximumSeconds">> {
    return {
        trafficShifting,
        canaryPercent: 10,
        linearStepPercent: 20,
        bakeSeconds: trafficShifting === "linear" ? 240 : 600,
        finalBakeSeconds: 300,
    };
}

/** @internal `endpoint.rollout` with its defaults. */
export function rolloutSettings(rollout: RolloutArgs): RolloutSettings {
    return { ...rolloutDefaults(rollout.trafficShifting), ...definedFields(rollout) };
}

/** @internal A variant's instance settings: its own, else the endpoint's (themselves defaulted). */
function variantSettings(
    variant: { name: string; model?: VariantModelArgs; instanceType?: string; instanceCount?: number },
    weight: number,
    endpoint: EndpointArgs,
    instances: { instanceType: string; instanceCount: number },
): VariantSettings {
    return {
        name: variant.name,
        weight,
        ...(variant.model ? { model: { ...variant.model } } : {}),
        instanceType: variant.instanceType ?? instances.instanceType,
        instanceCount: variant.instanceCount ?? instances.instanceCount,
        instanceCountDefaulted: variant.instanceCount === undefined && endpoint.instanceCount === undefined,
    };
}

/** @internal `endpoint` with every default applied. */
export function endpointSettings(endpoint: EndpointArgs = {}): EndpointSettings {
    const serverless = endpoint.serverless ? withDefaults(serverlessDefaults(), endpoint.serverless) : undefined;
    const async = endpoint.async ? asyncSettings(endpoint.async) : undefined;
    const autoscaling = autoscalingSettings(endpoint, async);
    const instances = withDefaults(instanceDefaults(autoscaling), {
        instanceType: endpoint.instanceType,
        instanceCount: endpoint.instanceCount,
    });
    const variants = endpoint.variants?.map((v) => variantSettings(v, v.weight, endpoint, instances));
    const shadow = endpoint.shadow ? variantSettings(endpoint.shadow, endpoint.shadow.samplingPercent, endpoint, instances) : undefined;
    return {
        serverless,
        ...instances,
        instanceCountDefaulted: endpoint.instanceCount === undefined,
        networkIsolation: endpoint.networkIsolation ?? networkIsolationDefault(serverless !== undefined),
        autoscaling,
        dataCapture: endpoint.dataCapture ? withDefaults(dataCaptureDefaults(), endpoint.dataCapture) : undefined,
        environment: { ...(endpoint.environment ?? {}) },
        logRetentionDays: endpoint.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
        rollout: endpoint.rollout ? rolloutSettings(endpoint.rollout) : undefined,
        ...(variants ? { variants } : {}),
        ...(shadow ? { shadow } : {}),
        async,
    };
}
