/**
 * The data path's contract, one home for each fact: routes, content types, payload limits, header
 * names, SageMaker's names and error shapes, error codes and CORS. Imported by the component
 * (components/), the Lambda (lambda/, bundled with only what it uses) and the local twin (local/).
 * It imports nothing outside this folder, so the Lambda bundle stays free of Pulumi.
 */
export * from "./async";
export * from "./cors";
export * from "./errors";
export * from "./gateway-responses";
export * from "./limits";
export * from "./media";
export * from "./routes";
export * from "./sagemaker";
export * from "./variants";
