export { ModelApi } from "./model-api";
export { ApiAuth } from "./args";
export type {
    ApiArgs,
    ArtifactsArgs,
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
export { ArgumentError } from "./settings/argument-error";
export type { ArgumentMistake } from "./settings/argument-error";
export { packModel, tarGzDirectory } from "../core/archive/pack";
export type { PackedModel } from "../core/archive/pack";
