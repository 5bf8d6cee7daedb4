/** @internal Checks of `api`: what API Gateway and Lambda accept for the stage, the usage plan and the function. */
import { corsOriginsProblem } from "../../contract";
import { ApiAuth, type ModelApiArgs } from "../args";
import { type Fail, positive, positiveInteger } from "../checks";
import { checkRetention } from "../log-retention";

/** @internal */
export const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"];

/** @internal API Gateway's stage name rule (Stage "stageName", API Gateway REST API Reference). */
export const STAGE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** @internal Reports through `fail` the first `api` setting that cannot be. */
export function validateApi(args: ModelApiArgs, fail: Fail): void {
    const api = args.api ?? {};
    const auths: string[] = Object.values(ApiAuth);
    if (api.auth !== undefined && !auths.includes(api.auth)) {
        fail(`api.auth must be one of ${auths.map((a) => `"${a}"`).join(", ")}; got "${api.auth}"`);
    }
    if (api.quota?.period !== undefined && !QUOTA_PERIODS.includes(api.quota.period)) {
        fail(`api.quota.period must be one of ${QUOTA_PERIODS.join(", ")}; got "${api.quota.period}"`);
    }
    if (api.stageName !== undefined && !STAGE_NAME.test(api.stageName)) {
        fail(`api.stageName must contain only letters, digits, hyphens and underscores, at most 128 characters; got "${api.stageName}"`);
    }
    const corsProblem = api.cors === undefined ? undefined : corsOriginsProblem(api.cors?.allowOrigins);
    if (corsProblem) fail(`api.cors.allowOrigins ${corsProblem}`);
    // API Gateway takes the rate as a double, the burst and the quota as integers ("ThrottleSettings" and
    // "QuotaSettings", API Gateway REST API Reference).
    if (api.docs !== undefined && typeof api.docs !== "boolean") {
        fail(`api.docs must be true or false; got ${JSON.stringify(api.docs)}`);
    }
    positive(fail, "api.throttle.rateLimit", api.throttle?.rateLimit);
    positiveInteger(fail, "api.throttle.burstLimit", api.throttle?.burstLimit);
    positiveInteger(fail, "api.quota.limit", api.quota?.limit);
    const timeout = api.function?.timeoutSeconds;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 1 && timeout <= 900)) {
        fail(`api.function.timeoutSeconds must be an integer from 1 to 900; got ${timeout}`);
    }
    const memory = api.function?.memorySizeMb;
    if (memory !== undefined && !(Number.isInteger(memory) && memory >= 128 && memory <= 10240)) {
        fail(`api.function.memorySizeMb must be an integer from 128 to 10240; got ${memory}`);
    }
    checkRetention(fail, "api.logRetentionDays", api.logRetentionDays);
    checkRetention(fail, "api.function.logRetentionDays", api.function?.logRetentionDays);
}
