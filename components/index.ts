export { ModelApi } from "./model-api";
export { ApiAuth } from "./args";
export type {
    ApiArgs,
    ArtifactsArgs,
    AutoscalingArgs,
    CorsArgs,
    DataCaptureArgs,
    EndpointArgs,
    FunctionArgs,
    ImageArgs,
    ModelApiArgs,
    ModelSpec,
    QuotaArgs,
    ServerlessArgs,
    ThrottleArgs,
} from "./args";
export { ArgumentError } from "./validate";
export { packModel, tarGzDirectory } from "./model-archive";
export type { PackedModel } from "./model-archive";
