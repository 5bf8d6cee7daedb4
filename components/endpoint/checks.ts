/** @internal Checks of `endpoint`: what SageMaker and Application Auto Scaling accept, and what combines. */
import type { ModelApiArgs } from "../args";
import type { Report } from "../checks";
import { withDefaults } from "../../core/defined";
import { checkRetention } from "../log-retention";
import { autoscalingDefaults } from "./defaults";

/** @internal */
export const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144];
/** @internal */
export const MAX_SERVERLESS_CONCURRENCY = 200;

/** @internal GPU instance families (ml.p*, ml.g*). */
export const GPU_INSTANCE_TYPE = /^ml\.[pg]\d/;

/** @internal Reports every `endpoint` setting that cannot be. */
export function validateEndpoint(args: ModelApiArgs, report: Report): void {
    const endpoint = args.endpoint ?? {};
    const serverless = endpoint.serverless;
    if (serverless) {
        if (args.multiModel) {
            report(
                "multiModel",
                `cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not host multi-model containers`,
            );
        }
        if (endpoint.autoscaling) {
            report("endpoint.serverless", `cannot be combined with endpoint.autoscaling: serverless endpoints scale by maxConcurrency`);
        }
        if (endpoint.instanceType !== undefined || endpoint.instanceCount !== undefined) {
            report("endpoint.serverless", `cannot be combined with endpoint.instanceType or endpoint.instanceCount`);
        }
        if (endpoint.dataCapture) {
            report(
                "endpoint.dataCapture",
                `cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support data capture`,
            );
        }
        if (endpoint.networkIsolation === true) {
            report(
                "endpoint.networkIsolation",
                `cannot be true with endpoint.serverless: SageMaker serverless endpoints do not support network isolation`,
            );
        }
        const memory = serverless.memorySizeMb;
        if (memory !== undefined && !SERVERLESS_MEMORY_SIZES.includes(memory)) {
            report("endpoint.serverless.memorySizeMb", `must be one of ${SERVERLESS_MEMORY_SIZES.join(", ")}; got ${memory}`);
        }
        const concurrency = serverless.maxConcurrency;
        if (
            concurrency !== undefined &&
            !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_SERVERLESS_CONCURRENCY)
        ) {
            report("endpoint.serverless.maxConcurrency", `must be an integer from 1 to ${MAX_SERVERLESS_CONCURRENCY}; got ${concurrency}`);
        }
    }
    if (args.multiModel && endpoint.instanceType !== undefined && GPU_INSTANCE_TYPE.test(endpoint.instanceType)) {
        // "Supported algorithms, frameworks, and instances for multi-model endpoints" (SageMaker Developer
        // Guide): every CPU instance type, and GPU instances only through SageMaker's Triton server.
        report(
            "endpoint.instanceType",
            `"${endpoint.instanceType}" is a GPU instance type, which multiModel cannot use: ` +
                `SageMaker hosts multi-model endpoints on GPU instances only with its Triton Inference Server container; ` +
                `choose a CPU instance type such as ml.m5.large`,
        );
    }
    const count = endpoint.instanceCount;
    const countValid = count === undefined || (Number.isInteger(count) && count >= 1);
    if (!countValid) {
        report("endpoint.instanceCount", `must be a positive integer; got ${count}`);
    }
    // An asynchronous endpoint that scales to zero has autoscaling with a floor of 0 (endpoint/async-rules.ts
    // refuses another floor, and asynchronous with serverless).
    const scaleToZero = endpoint.async !== undefined && endpoint.async !== null && endpoint.async.scaleToZero !== false && !serverless;
    if (endpoint.autoscaling || scaleToZero) {
        const scaling = withDefaults({ ...autoscalingDefaults(), ...(scaleToZero ? { minCapacity: 0 } : {}) }, endpoint.autoscaling ?? {});
        const floor = scaleToZero ? 0 : 1;
        const minValid = Number.isInteger(scaling.minCapacity) && scaling.minCapacity >= floor;
        if (!minValid) {
            report(
                "endpoint.autoscaling.minCapacity",
                `must be an integer of at least ${floor}; got ${scaling.minCapacity}` +
                    (scaling.minCapacity === 0 ? ` (0 only on an asynchronous endpoint with endpoint.async.scaleToZero)` : ""),
            );
        }
        // The bounds are compared only once the lower one is valid; an invalid one is reported above.
        const boundsValid = minValid && Number.isInteger(scaling.maxCapacity) && scaling.minCapacity <= scaling.maxCapacity;
        if (minValid && !boundsValid) {
            report(
                "endpoint.autoscaling.minCapacity",
                `(${scaling.minCapacity}) must not exceed endpoint.autoscaling.maxCapacity (${scaling.maxCapacity})`,
            );
        }
        if (!(scaling.targetInvocationsPerInstance > 0)) {
            report(
                "endpoint.autoscaling.targetInvocationsPerInstance",
                `must be greater than 0; got ${scaling.targetInvocationsPerInstance}`,
            );
        }
        // Application Auto Scaling takes cooldowns as whole seconds ("TargetTrackingScalingPolicyConfiguration",
        // Application Auto Scaling API Reference).
        for (const key of ["scaleInCooldownSeconds", "scaleOutCooldownSeconds"] as const) {
            if (!(Number.isInteger(scaling[key]) && scaling[key] >= 0)) {
                report(`endpoint.autoscaling.${key}`, `must be a whole number of seconds, 0 or more; got ${scaling[key]}`);
            }
        }
        if (count !== undefined && countValid && boundsValid && (count < scaling.minCapacity || count > scaling.maxCapacity)) {
            report(
                "endpoint.instanceCount",
                `(${count}) must lie between endpoint.autoscaling.minCapacity ` +
                    `(${scaling.minCapacity}) and maxCapacity (${scaling.maxCapacity})`,
            );
        }
    }
    checkRetention(report, "endpoint.logRetentionDays", endpoint.logRetentionDays);
    const sampling = endpoint.dataCapture?.samplingPercentage;
    if (sampling !== undefined && !(Number.isInteger(sampling) && sampling >= 1 && sampling <= 100)) {
        report("endpoint.dataCapture.samplingPercentage", `must be an integer from 1 to 100; got ${sampling}`);
    }
}
