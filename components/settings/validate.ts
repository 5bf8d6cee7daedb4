/**
 * @internal Every check of the arguments, each folder's own, run before anything is created: every
 * impossible setting and every key ModelApi does not read is collected, then one ArgumentError names them all.
 */
import { componentNameError } from "../../core/input-validation";
import { unknownKeysDeep } from "../../core/known-keys";
import { validateApi } from "../api/checks";
import { ALARMS_KEYS, MODEL_API_KEYS } from "../argument-keys";
import type { ModelApiArgs } from "../args";
import { validateArtifacts, validateModels } from "../artifacts/checks";
import type { Report } from "../checks";
import { validateAsync } from "../endpoint/async-rules";
import { validateEndpoint } from "../endpoint/checks";
import { validateNetwork } from "../endpoint/network";
import { validateRollout } from "../endpoint/rollout-rules";
import { validateVariants } from "../endpoint/variant-rules";
import { validateImage } from "../image/checks";
import { validateMonitoring } from "../monitoring/checks";
import { type ArgumentMistake, argumentError } from "./argument-error";

/**
 * @internal Throws an {@link ArgumentError} naming every mistake in the arguments, when there is one.
 * Only checks; defaults are applied afterwards by settings.ts.
 */
export function validateArgs(name: string, args: ModelApiArgs): void {
    const mistakes: ArgumentMistake[] = [];
    const report: Report = (path, reason) => {
        mistakes.push({ path, reason });
    };
    validateName(name, report);
    validateKeys(args, report);
    validateModels(args, report);
    validateImage(args, report);
    validateEndpoint(args, report);
    validateApi(args, report);
    validateArtifacts(args, report);
    validateMonitoring(args, report);
    validateRollout(args, report);
    validateVariants(args, report);
    validateAsync(args, report);
    validateNetwork(args, report);
    if (mistakes.length > 0) {
        throw argumentError(name, mistakes);
    }
}

function validateName(name: string, report: Report): void {
    const error = componentNameError(name);
    if (error) {
        report("name", error);
    }
}

/**
 * Every key at every level of the arguments is one ModelApi reads (argument-keys.ts), but the user's
 * own maps (`tags`, `endpoint.environment`); unknown alarms are named by the monitoring checks.
 */
function validateKeys(args: ModelApiArgs, report: Report): void {
    for (const unknown of unknownKeysDeep(args, MODEL_API_KEYS, "", new Set([ALARMS_KEYS]))) {
        report(
            unknown.path,
            `is not an argument of ModelApi; expected one of ${unknown.expected.join(", ")}` +
                (unknown.suggestion ? `; did you mean ${unknown.suggestion}?` : ""),
        );
    }
}
