/**
 * Name rules: SageMaker's, which model names and the component name follow, and the longest component name
 * whose children's auto-generated AWS names still fit their limits.
 */
/** @internal SageMaker's name rule, which model names and the component name follow too. */
export const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/** @internal Pulumi auto-naming appends "-" and 7 random hex characters to the logical name. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** @internal Longest model name: SageMaker's own limit for names, kept for keys and routes too. */
export const MAX_MODEL_NAME_LENGTH = 63;

/**
 * @internal The children whose physical name is `${name}-${role}` plus the auto-name suffix and whose
 * AWS name has a length limit. The component name's limit follows from the tightest of them.
 */
export const LIMITED_CHILDREN: ReadonlyArray<{ role: string; awsLimit: number }> = [
    { role: "endpoint", awsLimit: 63 }, // SageMaker Endpoint (same length, see endpointName)
    { role: "artifacts", awsLimit: 63 }, // S3 bucket
    { role: "function", awsLimit: 64 }, // Lambda function
    { role: "endpoint-role", awsLimit: 64 }, // IAM role
    { role: "function-role", awsLimit: 64 }, // IAM role
    { role: "model-12345", awsLimit: 63 }, // SageMaker Model, one per generation (generation.ts)
    { role: "config-12345", awsLimit: 63 }, // SageMaker EndpointConfig, one per generation
];

/** @internal The longest component name whose children all stay within their AWS limits (42). */
export const MAX_COMPONENT_NAME_LENGTH = Math.min(
    ...LIMITED_CHILDREN.map((c) => c.awsLimit - AUTONAME_SUFFIX_LENGTH - (c.role.length + 1)),
);

/** @internal The child role that sets {@link MAX_COMPONENT_NAME_LENGTH}, named in the error message. */
export const TIGHTEST_ROLE = LIMITED_CHILDREN.reduce((a, b) => (b.awsLimit - b.role.length < a.awsLimit - a.role.length ? b : a)).role;
