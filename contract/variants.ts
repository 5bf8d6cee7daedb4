/**
 * Several model versions behind one endpoint: production variants with traffic weights, and at most
 * one shadow variant that gets a copy of production traffic without answering callers
 * ("CreateEndpointConfig", "ProductionVariant", SageMaker API Reference). The component, the Lambda
 * and the local twin agree on these names.
 */

/** The API's header: on a request it pins a production variant, on every answer it names the one that answered. */
export const VARIANT_HEADER = "x-modelapi-variant";

/** InvokeEndpoint's `TargetVariant` travels in this request header ("InvokeEndpoint", SageMaker Runtime API Reference). */
export const TARGET_VARIANT_HEADER = "x-amzn-sagemaker-target-variant";

/** CreateEndpointConfig takes 1 to 10 production variants (`ProductionVariants`, "CreateEndpointConfig"). */
export const MAX_PRODUCTION_VARIANTS = 10;

/** `VariantName` ("ProductionVariant", SageMaker API Reference): letters, digits and inner hyphens, at most 63. */
export const VARIANT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The Lambda's environment variable listing the production variants a caller may pin, comma-separated. */
export const VARIANT_NAMES_ENV = "VARIANT_NAMES";
