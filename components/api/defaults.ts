/**
 * @internal Defaults of `api`, as small pure functions merged as `{ ...defaults, ...args.api.x }`; `args` is
 * never mutated. The README's Arguments table is checked against them (test/components/readme-defaults.test.ts).
 */
import { withDefaults } from "../../core/defined";
import { ApiArgs, ApiAuth, CorsArgs, FunctionArgs, QuotaArgs, ThrottleArgs } from "../args";
import { DEFAULT_LOG_RETENTION_DAYS } from "../log-retention";

/** @internal `api` with its defaults. */
export interface ApiSettings {
    auth: ApiAuth;
    stageName: string;
    throttle: Required<ThrottleArgs>;
    quota: Required<QuotaArgs>;
    accessLogs: boolean;
    docs: boolean;
    logRetentionDays: number;
    function: Required<FunctionArgs>;
    /** Undefined when CORS is off. */
    cors?: CorsArgs;
}

/**
 * @internal Access logs are off: a stage with access logging fails to deploy ("CloudWatch Logs role ARN must
 * be set in account settings to enable logging") until the account-wide API Gateway CloudWatch role is set
 * in that region ("Set up CloudWatch logging for REST APIs in API Gateway", API Gateway Developer Guide),
 * and defaults must deploy in a brand-new account.
 */
export function apiDefaults() {
    return {
        auth: ApiAuth.ApiKey as ApiAuth,
        stageName: "v1",
        accessLogs: false,
        docs: false,
        logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
    };
}

/** @internal */
export function throttleDefaults(): Required<ThrottleArgs> {
    return { rateLimit: 10, burstLimit: 20 };
}

/** @internal */
export function quotaDefaults(): Required<QuotaArgs> {
    return { limit: 10000, period: "DAY" };
}

/** @internal */
export function functionDefaults(): Required<FunctionArgs> {
    return { timeoutSeconds: 29, memorySizeMb: 256, logRetentionDays: DEFAULT_LOG_RETENTION_DAYS };
}

/** @internal CORS is off unless origins are given; the list is copied so `args` stays untouched. */
export function corsSettings(cors: CorsArgs | undefined): CorsArgs | undefined {
    return cors ? { allowOrigins: [...cors.allowOrigins] } : undefined;
}

/** @internal `api` with every default applied. */
export function apiSettings(api: ApiArgs = {}): ApiSettings {
    const { auth, stageName, accessLogs, docs, logRetentionDays } = api;
    return {
        ...withDefaults(apiDefaults(), { auth, stageName, accessLogs, docs, logRetentionDays }),
        throttle: withDefaults(throttleDefaults(), api.throttle),
        quota: withDefaults(quotaDefaults(), api.quota),
        function: withDefaults(functionDefaults(), api.function),
        cors: corsSettings(api.cors),
    };
}
