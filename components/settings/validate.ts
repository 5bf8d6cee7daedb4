/**
 * @internal Every check of the arguments, each folder's own, run before anything is created: the first
 * impossible setting throws an ArgumentError naming the arguments.
 */
import { componentNameError } from "../../core/input-validation";
import { validateApi } from "../api/checks";
import type { ModelApiArgs } from "../args";
import { validateArtifacts, validateModels } from "../artifacts/checks";
import type { Fail } from "../checks";
import { validateEndpoint } from "../endpoint/checks";
import { validateNetwork } from "../endpoint/network";
import { validateRollout } from "../endpoint/rollout-rules";
import { validateImage } from "../image/checks";
import { validateMonitoring } from "../monitoring/checks";

/** Invalid {@link ModelApiArgs}: thrown by the constructor before any resource is created. */
export class ArgumentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ArgumentError";
    }
}

/**
 * @internal Throws an {@link ArgumentError} naming the arguments of the first impossible setting.
 * Only checks; defaults are applied afterwards by settings.ts.
 */
export function validateArgs(name: string, args: ModelApiArgs): void {
    const fail: Fail = (message: string): never => {
        throw new ArgumentError(`ModelApi "${name}": ${message}`);
    };
    validateName(name, fail);
    validateModels(args, fail);
    validateImage(args, fail);
    validateEndpoint(args, fail);
    validateApi(args, fail);
    validateArtifacts(args, fail);
    validateMonitoring(args, fail);
    validateRollout(args, fail);
    validateNetwork(args, fail);
}

function validateName(name: string, fail: Fail): void {
    const error = componentNameError(name);
    if (error) {
        fail(`name ${error}`);
    }
}
