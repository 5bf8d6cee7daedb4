/** @internal Checks of `api`: what API Gateway and Lambda accept for the stage, the usage plan and the function. */
import { corsOriginsProblem } from "../../contract";
import { ApiAuth, type ModelApiArgs } from "../args";
import { positive, positiveInteger, type Report } from "../checks";
import { checkRetention } from "../log-retention";

/** @internal */
export const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"];

/** @internal API Gateway's stage name rule (Stage "stageName", API Gateway REST API Reference). */
export const STAGE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** @internal Reports every `api` setting that cannot be. */
export function validateApi(args: ModelApiArgs, report: Report): void {
    const api = args.api ?? {};
    const auths: string[] = Object.values(ApiAuth);
    if (api.auth !== undefined && !auths.includes(api.auth)) {
        report("api.auth", `must be one of ${auths.map((a) => `"${a}"`).join(", ")}; got "${api.auth}"`);
    }
    if (api.quota?.period !== undefined && !QUOTA_PERIODS.includes(api.quota.period)) {
        report("api.quota.period", `must be one of ${QUOTA_PERIODS.join(", ")}; got "${api.quota.period}"`);
    }
    if (api.stageName !== undefined && !STAGE_NAME.test(api.stageName)) {
        report(
            "api.stageName",
            `must contain only letters, digits, hyphens and underscores, at most 128 characters; got "${api.stageName}"`,
        );
    }
    const corsProblem = api.cors === undefined ? undefined : corsOriginsProblem(api.cors?.allowOrigins);
    if (corsProblem) report("api.cors.allowOrigins", corsProblem);
    // API Gateway takes the rate as a double, the burst and the quota as integers ("ThrottleSettings" and
    // "QuotaSettings", API Gateway REST API Reference).
    if (api.docs !== undefined && typeof api.docs !== "boolean") {
        report("api.docs", `must be true or false; got ${JSON.stringify(api.docs)}`);
    }
    positive(report, "api.throttle.rateLimit", api.throttle?.rateLimit);
    positiveInteger(report, "api.throttle.burstLimit", api.throttle?.burstLimit);
    positiveInteger(report, "api.quota.limit", api.quota?.limit);
    const timeout = api.function?.timeoutSeconds;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 1 && timeout <= 900)) {
        report("api.function.timeoutSeconds", `must be an integer from 1 to 900; got ${timeout}`);
    }
    const memory = api.function?.memorySizeMb;
    if (memory !== undefined && !(Number.isInteger(memory) && memory >= 128 && memory <= 10240)) {
        report("api.function.memorySizeMb", `must be an integer from 128 to 10240; got ${memory}`);
    }
    checkRetention(report, "api.logRetentionDays", api.logRetentionDays);
    checkRetention(report, "api.function.logRetentionDays", api.function?.logRetentionDays);
}
