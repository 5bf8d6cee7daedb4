import * as crypto from "crypto";
import type { EndpointKind } from "../../contract";
import { AUTONAME_SUFFIX_LENGTH } from "../../core/naming";

/**
 * @internal Everything that makes an update replace the SageMaker endpoint rather than update it in place.
 *
 * The AWS provider's `aws_sagemaker_endpoint` has two ForceNew inputs (terraform-provider-aws
 * internal/service/sagemaker/endpoint.go, the `resourceEndpoint` schema):
 * - `name`: derived here, from this key;
 * - `deployment_config.auto_rollback_configuration`, a block of at most one item: terraform-plugin-sdk marks
 *   only its item count as replacing (helper/schema/schema.go, `diffList`), so adding or removing the block
 *   replaces the endpoint while a change of the alarms inside it is an update in place.
 * `endpoint_config_name`, the rest of `deployment_config` and `tags` are updated in place (`resourceEndpointUpdate`).
 * The kind is not a provider input, but SageMaker cannot update an instance-based endpoint into a
 * serverless one, nor back ("Update a serverless endpoint", SageMaker Developer Guide).
 */
export interface EndpointReplacementKey {
    /**
     * How the endpoint serves. Turning asynchronous inference on or off replaces the endpoint: it changes how
     * every caller talks to it ("The presence of an asynchronous inference configuration ... implies that the
     * endpoint can only receive asynchronous invocations", "Asynchronous inference", SageMaker Developer Guide),
     * so the new one is created beside the old until the Lambda has moved to it.
     */
    kind: EndpointKind;
    /** Whether the endpoint's deployment config has an auto-rollback configuration (`endpoint.rollout`). */
    autoRollback: boolean;
}

/**
 * @internal The SageMaker endpoint's name: `${name}-endpoint-` and 7 hex characters, like an auto-name, but
 * derived from organization, project, stack, component name and everything that replaces the endpoint
 * ({@link EndpointReplacementKey}), so it is known before the endpoint exists. That lets the endpoint's log
 * group (`/aws/sagemaker/Endpoints/<name>`) be created with a retention, and the role's log permissions be
 * scoped to it, before SageMaker starts writing.
 *
 * A change that replaces the endpoint therefore changes its name, and the component replaces it create-first
 * (`deleteBeforeReplace: false`): SageMaker refuses two endpoints of one name in a region ("CreateEndpoint",
 * SageMaker API Reference), so only a new name lets the new endpoint exist beside the old one until the
 * Lambda has moved to it. Every other change is an update in place under the same name. A real-time or
 * serverless endpoint without a rollout keeps the name it had before the rollback configuration was part of
 * it, so upgrading replaces nothing there.
 */
export function endpointName(
    name: string,
    scope: { organization: string; project: string; stack: string },
    key: EndpointReplacementKey = { kind: "realtime", autoRollback: false },
): string {
    const kind = key.kind === "realtime" ? "" : `/${key.kind}`;
    const rollback = key.autoRollback ? "/auto-rollback" : "";
    const identity = `${scope.organization}/${scope.project}/${scope.stack}/${name}${kind}${rollback}`;
    const hash = crypto
        .createHash("sha256")
        .update(identity)
        .digest("hex")
        .slice(0, AUTONAME_SUFFIX_LENGTH - 1);
    return `${name}-endpoint-${hash}`;
}
