/**
 * @internal Checks of `endpoint.rollout`: what SageMaker's deployment guardrails accept, refused here with the
 * argument named before anything is created.
 */
import { definedFields } from "../../core/defined";
import type { ModelApiArgs } from "../args";
import { integerIn, type Report } from "../checks";
import { alarmDefaults, ROLLBACK_ALARMS } from "../monitoring/catalogue";
import { monitoringEnabledDefault } from "../monitoring/defaults";
import { type RolloutSettings, rolloutSettings } from "./defaults";

/** @internal The traffic shifting modes of `endpoint.rollout`, and SageMaker's name for each (TrafficRoutingConfig). */
export const TRAFFIC_SHIFTING: { [mode: string]: string } = { allAtOnce: "ALL_AT_ONCE", canary: "CANARY", linear: "LINEAR" };

/**
 * @internal How long the AWS provider waits for an endpoint to be InService after creating or updating it: a
 * fixed 60 minutes (`waitEndpointInService`, terraform-provider-aws internal/service/sagemaker/endpoint.go).
 * `customTimeouts` cannot extend it: the resource declares no timeouts, and the bridge ignores customTimeouts
 * for such a resource (pulumi-terraform-bridge pkg/tfshim/sdk-v2/provider2.go, "Resource does not support
 * customTimeouts"). A rollout that outlasts it fails `pulumi up` while SageMaker carries on, and the next
 * update finds the endpoint still updating.
 */
export const PROVIDER_ENDPOINT_WAIT_SECONDS = 3600;

/**
 * @internal The time a rollout is allowed for SageMaker to provision the new fleet before the first shift:
 * launching the instances, pulling the image, loading the model until it answers /ping. AWS documents no typical
 * time, only bounds far above the wait (ModelDataDownloadTimeoutInSeconds and
 * ContainerStartupHealthCheckTimeoutInSeconds, up to 3600 s each, "ProductionVariant", SageMaker API Reference).
 * 15 minutes, a quarter of the wait, is a judgement: room for an ordinary image and model; a larger one needs
 * shorter bakes.
 */
export const PROVISIONING_ALLOWANCE_SECONDS = 900;

/**
 * @internal How many bakes a rollout has on `instances` instances. All at once: one ("Use all at once traffic
 * shifting"); canary: the canary's and a final one after the rest shifts ("Use canary traffic shifting");
 * linear: one per step ("Use linear traffic shifting"). AWS does not document how a percentage of the fleet
 * rounds to instances ("CapacitySize"): the longest case is taken, whole instances rounded down and at least one
 * per step.
 */
export function rolloutBakes(rollout: RolloutSettings, instances: number): number {
    switch (rollout.trafficShifting) {
        case "canary":
            return 2;
        case "linear":
            return Math.ceil(instances / Math.max(1, Math.floor((rollout.linearStepPercent * instances) / 100)));
        default:
            return 1;
    }
}

/** @internal The longest a rollout may take from UpdateEndpoint to InService, in seconds, and its parts. */
export function rolloutWorstCaseSeconds(rollout: RolloutSettings, instances: number): { total: number; bakes: number } {
    const bakes = rolloutBakes(rollout, instances);
    return { total: PROVISIONING_ALLOWANCE_SECONDS + bakes * rollout.bakeSeconds + rollout.finalBakeSeconds, bakes };
}

/** @internal Reports every `endpoint.rollout` setting SageMaker's deployment guardrails refuse. */
export function validateRollout(args: ModelApiArgs, report: Report): void {
    const endpoint = args.endpoint ?? {};
    const rollout = endpoint.rollout;
    if (rollout === undefined || rollout === null) {
        return;
    }
    const instanceType = endpoint.instanceType ?? "";
    if (/^ml\.inf1\./.test(instanceType)) {
        // "Deployment guardrails: Exclusions" (SageMaker Developer Guide).
        report(
            "endpoint.rollout",
            `cannot be used with instance type ${instanceType}: SageMaker does not apply deployment ` +
                `guardrails to Inf1 endpoints and would shift all traffic at once without a bake`,
        );
    }
    const settings = rolloutSettings(rollout);
    const modes = Object.keys(TRAFFIC_SHIFTING);
    // What depends on the mode is checked once the mode is a known one.
    const modeValid = modes.includes(settings.trafficShifting);
    if (!modeValid) {
        report(
            "endpoint.rollout.trafficShifting",
            `must be one of ${modes.map((m) => `"${m}"`).join(", ")}; got "${settings.trafficShifting}"`,
        );
    }
    const serverless = endpoint.serverless !== undefined && endpoint.serverless !== null;
    if (modeValid && serverless && settings.trafficShifting !== "allAtOnce") {
        // "Deployment guardrails: Exclusions" excludes serverless endpoints from rolling deployments only; blue/green
        // all at once, with its bake and auto-rollback, is not excluded.
        report(
            "endpoint.rollout.trafficShifting",
            `"${settings.trafficShifting}" cannot be used with endpoint.serverless: SageMaker sizes ` +
                `canary and linear steps as an instance count or a percentage of the fleet (CapacitySize), and documents ` +
                `neither for a serverless endpoint, which has no instances; use "allAtOnce"`,
        );
    }
    if (modeValid && rollout.canaryPercent !== undefined && settings.trafficShifting !== "canary") {
        report("endpoint.rollout.canaryPercent", `needs trafficShifting: "canary"`);
    }
    if (modeValid && rollout.linearStepPercent !== undefined && settings.trafficShifting !== "linear") {
        report("endpoint.rollout.linearStepPercent", `needs trafficShifting: "linear"`);
    }
    // TrafficRoutingConfig (SageMaker API Reference): the canary is at most 50 % of the variant's instances, a
    // linear step 10 to 50 %; WaitIntervalInSeconds 0 to 3600. BlueGreenUpdatePolicy: TerminationWaitInSeconds
    // 0 to 3600, MaximumExecutionTimeoutInSeconds 600 to 14400.
    // The new fleet starts at the configuration's instance count ("VariantProperty": UpdateEndpoint sets
    // DesiredInstanceCount to InitialInstanceCount).
    const instances = endpoint.instanceCount ?? endpoint.autoscaling?.minCapacity ?? 1;
    // A count that is not a positive integer is reported by the endpoint checks.
    const instancesValid = Number.isInteger(instances) && instances >= 1;
    if (modeValid && settings.trafficShifting !== "allAtOnce" && !serverless) {
        if (instancesValid && instances < 2) {
            report(
                "endpoint.rollout.trafficShifting",
                `"${settings.trafficShifting}" needs at least 2 instances (endpoint.instanceCount is ` +
                    `${instances}): SageMaker shifts at most 50 % of the variant's instances in a step; use "allAtOnce" or more instances`,
            );
        }
    }
    if (settings.trafficShifting === "canary" && !(settings.canaryPercent > 0 && settings.canaryPercent <= 50)) {
        report("endpoint.rollout.canaryPercent", `must be more than 0 and at most 50; got ${settings.canaryPercent}`);
    }
    if (settings.trafficShifting === "linear" && !(settings.linearStepPercent >= 10 && settings.linearStepPercent <= 50)) {
        report("endpoint.rollout.linearStepPercent", `must be from 10 to 50; got ${settings.linearStepPercent}`);
    }
    const bakeValid = integerIn(report, "endpoint.rollout.bakeSeconds", settings.bakeSeconds, 0, 3600);
    const finalBakeValid = integerIn(report, "endpoint.rollout.finalBakeSeconds", settings.finalBakeSeconds, 0, 3600);
    if (rollout.maximumSeconds !== undefined) {
        integerIn(report, "endpoint.rollout.maximumSeconds", rollout.maximumSeconds, 600, 14400);
    }
    // The length is only meaningful once every part of it is valid; the parts' own mistakes are reported above.
    const stepsValid =
        (settings.trafficShifting !== "canary" || (settings.canaryPercent > 0 && settings.canaryPercent <= 50)) &&
        (settings.trafficShifting !== "linear" || (settings.linearStepPercent >= 10 && settings.linearStepPercent <= 50));
    const worst = rolloutWorstCaseSeconds(settings, serverless ? 1 : instances);
    if (
        modeValid &&
        stepsValid &&
        bakeValid &&
        finalBakeValid &&
        (serverless || instancesValid) &&
        worst.total > PROVIDER_ENDPOINT_WAIT_SECONDS
    ) {
        report(
            "endpoint.rollout",
            `may take ${worst.total} s (${PROVISIONING_ALLOWANCE_SECONDS} s to provision the new fleet, ` +
                `${worst.bakes} bake${worst.bakes === 1 ? "" : "s"} of bakeSeconds ${settings.bakeSeconds} s, finalBakeSeconds ` +
                `${settings.finalBakeSeconds} s), longer than the ${PROVIDER_ENDPOINT_WAIT_SECONDS} s the AWS provider waits for an ` +
                `endpoint update, which customTimeouts cannot extend: pulumi up would fail while SageMaker carries on. Shorten ` +
                `bakeSeconds or finalBakeSeconds, or take larger steps`,
        );
    }
    // "Auto-Rollback Configuration and Monitoring": without CloudWatch alarms on the endpoint there is no
    // auto-rollback, and the bakes watch nothing.
    const monitoringOn = args.monitoring?.enabled ?? monitoringEnabledDefault(serverless);
    if (!monitoringOn) {
        report(
            "endpoint.rollout",
            args.monitoring?.enabled === false
                ? `needs the endpoint alarms to roll back on; monitoring.enabled is false`
                : `needs the endpoint alarms to roll back on, and monitoring is off for serverless endpoints by default; set monitoring.enabled: true`,
        );
        return;
    }
    const defaults = alarmDefaults();
    const rollbackAlarms = ROLLBACK_ALARMS.map((key) => ({
        key,
        ...defaults[key],
        ...definedFields(args.monitoring?.alarms?.[key]),
    })).filter((a) => a.enabled);
    if (rollbackAlarms.length === 0) {
        report(
            "endpoint.rollout",
            `needs at least one of monitoring.alarms.${ROLLBACK_ALARMS.join(" and monitoring.alarms.")} to roll back on`,
        );
    }
    // One bake for every alarm: it is named against the longest window (the first of equals), which covers the others.
    // A period or evaluation count that is not a positive integer is reported by the monitoring checks.
    const windows = rollbackAlarms
        .filter((a) => [a.periodSeconds, a.evaluationPeriods].every((n) => Number.isInteger(n) && n > 0))
        .map((a) => ({ key: a.key, window: a.periodSeconds * a.evaluationPeriods }));
    const longest = windows.reduce<{ key: string; window: number } | undefined>(
        (l, w) => (l === undefined || w.window > l.window ? w : l),
        undefined,
    );
    if (bakeValid && longest !== undefined && settings.bakeSeconds < longest.window) {
        report(
            "endpoint.rollout.bakeSeconds",
            `(${settings.bakeSeconds}) is shorter than monitoring.alarms.${longest.key}'s evaluation ` +
                `window (${longest.window} s): the alarm could not trip before traffic moves on`,
        );
    }
}
