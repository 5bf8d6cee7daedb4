import * as crypto from "crypto";
import type { EndpointKind } from "../contract";

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

/** @internal The two kinds of SageMaker endpoint; one cannot be updated into the other. */

/**
 * @internal The SageMaker endpoint's name: `${name}-endpoint-` and 7 hex characters, like an auto-name,
 * but derived from organization, project, stack, component name and endpoint kind so it is known before
 * the endpoint exists. That lets the endpoint's log group (`/aws/sagemaker/Endpoints/<name>`) be created
 * with a retention, and the role's log permissions be scoped to it, before SageMaker starts writing.
 *
 * The kind is in the name because SageMaker cannot update an instance-based endpoint into a serverless
 * one, nor back ("Update a serverless endpoint", SageMaker Developer Guide): a kind change must replace
 * the endpoint, and a new name makes that replacement (create the new endpoint, then delete the old) work
 * without a name clash. Every other change is an in-place update under the same name. A real-time
 * endpoint keeps the name it had before the kind was part of it, so upgrading replaces nothing.
 */
export function endpointName(
    name: string,
    scope: { organization: string; project: string; stack: string },
    kind: EndpointKind = "realtime",
): string {
    const identity = `${scope.organization}/${scope.project}/${scope.stack}/${name}${kind === "realtime" ? "" : `/${kind}`}`;
    const hash = crypto
        .createHash("sha256")
        .update(identity)
        .digest("hex")
        .slice(0, AUTONAME_SUFFIX_LENGTH - 1);
    return `${name}-endpoint-${hash}`;
}
