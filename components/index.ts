export { ModelApi } from "./model-api";
export { ApiAuth } from "./args";
export type {
    ApiArgs,
    ArtifactsArgs,
    AutoscalingArgs,
    DataCaptureArgs,
    EndpointArgs,
    FunctionArgs,
    ImageArgs,
    ModelApiArgs,
    ModelSpec,
    NetworkArgs,
    QuotaArgs,
    ServerlessArgs,
    ThrottleArgs,
} from "./args";
export { ArgumentError } from "./validate";
export { packModel, tarGzDirectory } from "./model-archive";
export type { PackedModel } from "./model-archive";
