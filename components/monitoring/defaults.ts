/**
 * @internal Defaults of `monitoring`: whether it is on at all, and which alarms exist, each with every field
 * set (each alarm's own defaults are its row in catalogue.ts).
 */
import type { EndpointKind } from "../../contract";
import { definedFields } from "../../core/defined";
import type { ModelApiArgs } from "../args";
import { type AlarmKey, alarmDefaults, alarmFits, type AlarmSettings } from "./catalogue";

/** @internal Monitoring is on for real-time endpoints unless turned off, off for serverless unless turned on. */
export function monitoringEnabledDefault(serverless: boolean): boolean {
    return !serverless;
}

/** @internal `monitoring` with its defaults: only the enabled alarms, each with every field set. */
export interface MonitoringSettings {
    alarmTopicArns: string[];
    dashboard: boolean;
    alarms: { [K in AlarmKey]?: AlarmSettings };
}

/** @internal `monitoring` with its defaults, or undefined when monitoring is off. */
export function monitoringSettings(args: ModelApiArgs, kind: EndpointKind): MonitoringSettings | undefined {
    const monitoring = args.monitoring ?? {};
    if (!(monitoring.enabled ?? monitoringEnabledDefault(kind === "serverless"))) {
        return undefined;
    }
    const alarms: { [K in AlarmKey]?: AlarmSettings } = {};
    for (const [key, defaults] of Object.entries(alarmDefaults()) as [AlarmKey, AlarmSettings][]) {
        // An alarm on a metric the endpoint's kind does not publish (instance utilization on serverless, the
        // queue on real-time) is off unless asked for, which validation refuses.
        const enabledByDefault = alarmFits(key, kind).onByDefault;
        const alarm = { ...defaults, enabled: enabledByDefault, ...definedFields(monitoring.alarms?.[key]) };
        if (alarm.enabled) {
            alarms[key] = alarm;
        }
    }
    return { alarmTopicArns: [...(monitoring.alarmTopicArns ?? [])], dashboard: monitoring.dashboard ?? true, alarms };
}
