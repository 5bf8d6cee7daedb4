/** @internal Retention of the component's CloudWatch log groups (the endpoint's, the function's, the access logs). */
import type { Report } from "./checks";

/** @internal */
export const DEFAULT_LOG_RETENTION_DAYS = 14;

/** @internal The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** @internal One of CloudWatch Logs' retention periods, when set. */
export function checkRetention(report: Report, path: string, days: number | undefined): void {
    if (days !== undefined && !LOG_RETENTION_DAYS.includes(days)) {
        report(path, `must be one of CloudWatch Logs' retention periods (${LOG_RETENTION_DAYS.join(", ")}); got ${days}`);
    }
}
