/** @internal Checks of `endpoint`: what SageMaker and Application Auto Scaling accept, and what combines. */
import type { ModelApiArgs } from "../args";
import type { Fail } from "../checks";
import { withDefaults } from "../../core/defined";
import { checkRetention } from "../log-retention";
import { autoscalingDefaults } from "./defaults";

/** @internal */
export const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144];
/** @internal */
export const MAX_SERVERLESS_CONCURRENCY = 200;

/** @internal GPU instance families (ml.p*, ml.g*). */
export const GPU_INSTANCE_TYPE = /^ml\.[pg]\d/;

/** @internal Reports through `fail` the first `endpoint` setting that cannot be. */
export function validateEndpoint(args: ModelApiArgs, fail: Fail): void {
    const endpoint = args.endpoint ?? {};
    const serverless = endpoint.serverless;
    if (serverless) {
        if (args.multiModel) {
            fail(
                `multiModel cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not host multi-model containers`,
            );
        }
        if (endpoint.autoscaling) {
            fail(`endpoint.serverless cannot be combined with endpoint.autoscaling: serverless endpoints scale by maxConcurrency`);
        }
        if (endpoint.instanceType !== undefined || endpoint.instanceCount !== undefined) {
            fail(`endpoint.serverless cannot be combined with endpoint.instanceType or endpoint.instanceCount`);
        }
        if (endpoint.dataCapture) {
            fail(
                `endpoint.dataCapture cannot be combined with endpoint.serverless: SageMaker serverless endpoints do not support data capture`,
            );
        }
        if (endpoint.networkIsolation === true) {
            fail(
                `endpoint.networkIsolation cannot be true with endpoint.serverless: SageMaker serverless endpoints do not support network isolation`,
            );
        }
        const memory = serverless.memorySizeMb;
        if (memory !== undefined && !SERVERLESS_MEMORY_SIZES.includes(memory)) {
            fail(`endpoint.serverless.memorySizeMb must be one of ${SERVERLESS_MEMORY_SIZES.join(", ")}; got ${memory}`);
        }
        const concurrency = serverless.maxConcurrency;
        if (
            concurrency !== undefined &&
            !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_SERVERLESS_CONCURRENCY)
        ) {
            fail(`endpoint.serverless.maxConcurrency must be an integer from 1 to ${MAX_SERVERLESS_CONCURRENCY}; got ${concurrency}`);
        }
    }
    if (args.multiModel && endpoint.instanceType !== undefined && GPU_INSTANCE_TYPE.test(endpoint.instanceType)) {
        // "Supported algorithms, frameworks, and instances for multi-model endpoints" (SageMaker Developer
        // Guide): every CPU instance type, and GPU instances only through SageMaker's Triton server.
        fail(
            `endpoint.instanceType "${endpoint.instanceType}" is a GPU instance type, which multiModel cannot use: ` +
                `SageMaker hosts multi-model endpoints on GPU instances only with its Triton Inference Server container; ` +
                `choose a CPU instance type such as ml.m5.large`,
        );
    }
    const count = endpoint.instanceCount;
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
        fail(`endpoint.instanceCount must be a positive integer; got ${count}`);
    }
    if (endpoint.autoscaling) {
        const scaling = withDefaults(autoscalingDefaults(), endpoint.autoscaling);
        if (!(Number.isInteger(scaling.minCapacity) && scaling.minCapacity >= 1)) {
            fail(`endpoint.autoscaling.minCapacity must be an integer of at least 1; got ${scaling.minCapacity}`);
        }
        if (!Number.isInteger(scaling.maxCapacity) || scaling.minCapacity > scaling.maxCapacity) {
            fail(
                `endpoint.autoscaling.minCapacity (${scaling.minCapacity}) must not exceed ` +
                    `endpoint.autoscaling.maxCapacity (${scaling.maxCapacity})`,
            );
        }
        if (!(scaling.targetInvocationsPerInstance > 0)) {
            fail(`endpoint.autoscaling.targetInvocationsPerInstance must be greater than 0; got ${scaling.targetInvocationsPerInstance}`);
        }
        // Application Auto Scaling takes cooldowns as whole seconds ("TargetTrackingScalingPolicyConfiguration",
        // Application Auto Scaling API Reference).
        for (const key of ["scaleInCooldownSeconds", "scaleOutCooldownSeconds"] as const) {
            if (!(Number.isInteger(scaling[key]) && scaling[key] >= 0)) {
                fail(`endpoint.autoscaling.${key} must be a whole number of seconds, 0 or more; got ${scaling[key]}`);
            }
        }
        if (count !== undefined && (count < scaling.minCapacity || count > scaling.maxCapacity)) {
            fail(
                `endpoint.instanceCount (${count}) must lie between endpoint.autoscaling.minCapacity ` +
                    `(${scaling.minCapacity}) and maxCapacity (${scaling.maxCapacity})`,
            );
        }
    }
    checkRetention(fail, "endpoint.logRetentionDays", endpoint.logRetentionDays);
    const sampling = endpoint.dataCapture?.samplingPercentage;
    if (sampling !== undefined && !(Number.isInteger(sampling) && sampling >= 1 && sampling <= 100)) {
        fail(`endpoint.dataCapture.samplingPercentage must be an integer from 1 to 100; got ${sampling}`);
    }
}
