export { ModelApi } from "./model-api";
export { ApiAuth } from "./args";
export type {
    ApiArgs,
    ArtifactsArgs,
    AsyncArgs,
    AsyncNotificationsArgs,
    AlarmArgs,
    AlarmsArgs,
    AutoscalingArgs,
    CorsArgs,
    DataCaptureArgs,
    EndpointArgs,
    FunctionArgs,
    ImageArgs,
    ModelApiArgs,
    MonitoringArgs,
    ModelSpec,
    NetworkArgs,
    QuotaArgs,
    RolloutArgs,
    ServerlessArgs,
    ShadowArgs,
    ThrottleArgs,
    VariantArgs,
    VariantModelArgs,
} from "./args";
export type { CostEstimate } from "./cost/cost-estimate";
export { ArgumentError } from "./settings/argument-error";
export type { ArgumentMistake } from "./settings/argument-error";
export { packModel, tarGzDirectory } from "../core/archive/pack";
export type { PackedModel } from "../core/archive/pack";
