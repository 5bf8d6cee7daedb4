/**
 * @internal Checks of `endpoint.rollout`: what SageMaker's deployment guardrails accept, refused here with the
 * argument named before anything is created.
 */
import { definedFields } from "../../core/defined";
import type { ModelApiArgs } from "../args";
import { integerIn, type Report } from "../checks";
import { alarmDefaults, ROLLBACK_ALARMS } from "../monitoring/catalogue";
import { monitoringEnabledDefault } from "../monitoring/defaults";
import { rolloutDefaults } from "./defaults";

/** @internal The traffic shifting modes of `endpoint.rollout`, and SageMaker's name for each (TrafficRoutingConfig). */
export const TRAFFIC_SHIFTING: { [mode: string]: string } = { allAtOnce: "ALL_AT_ONCE", canary: "CANARY", linear: "LINEAR" };

/** @internal Reports every `endpoint.rollout` setting SageMaker's deployment guardrails refuse. */
export function validateRollout(args: ModelApiArgs, report: Report): void {
    const endpoint = args.endpoint ?? {};
    const rollout = endpoint.rollout;
    if (rollout === undefined || rollout === null) {
        return;
    }
    if (endpoint.serverless) {
        report(
            "endpoint.rollout",
            `cannot be combined with endpoint.serverless: SageMaker sizes canary and linear steps in ` +
                `instances of the variant (TrafficRoutingConfig), which a serverless endpoint does not have`,
        );
        // Nothing else about a rollout means anything without instances.
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
    const settings = { ...rolloutDefaults(), ...definedFields(rollout) };
    const modes = Object.keys(TRAFFIC_SHIFTING);
    // What depends on the mode is checked once the mode is a known one.
    const modeValid = modes.includes(settings.trafficShifting);
    if (!modeValid) {
        report(
            "endpoint.rollout.trafficShifting",
            `must be one of ${modes.map((m) => `"${m}"`).join(", ")}; got "${settings.trafficShifting}"`,
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
    if (modeValid && settings.trafficShifting !== "allAtOnce") {
        const instances = endpoint.instanceCount ?? endpoint.autoscaling?.minCapacity ?? 1;
        // A count that is not a positive integer is reported by the endpoint checks.
        if (Number.isInteger(instances) && instances >= 1 && instances < 2) {
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
    integerIn(report, "endpoint.rollout.finalBakeSeconds", settings.finalBakeSeconds, 0, 3600);
    if (rollout.maximumSeconds !== undefined) {
        integerIn(report, "endpoint.rollout.maximumSeconds", rollout.maximumSeconds, 600, 14400);
    }
    // "Auto-Rollback Configuration and Monitoring": without CloudWatch alarms on the endpoint there is no
    // auto-rollback, and the bakes watch nothing.
    const monitoringOn = args.monitoring?.enabled ?? monitoringEnabledDefault(false);
    if (!monitoringOn) {
        report("endpoint.rollout", `needs the endpoint alarms to roll back on; monitoring.enabled is false`);
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
