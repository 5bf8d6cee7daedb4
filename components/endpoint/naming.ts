import * as crypto from "crypto";
import type { EndpointKind } from "../../contract";
import { AUTONAME_SUFFIX_LENGTH } from "../../core/naming";

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
