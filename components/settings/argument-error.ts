/**
 * The error ModelApi throws for arguments it cannot accept, naming every mistake at once. It is a
 * `pulumi.InputPropertiesError`: when the component runs inside a Pulumi plugin (a Python, Go, .NET or
 * YAML program using ModelApi), Pulumi's provider server recognises it and the CLI lists each property
 * with its value and reason; in a TypeScript program it is an ordinary exception whose message says it all.
 */
import * as pulumi from "@pulumi/pulumi";

/** One mistake in the arguments: the argument's path and the reason, which reads on from the path. */
export interface ArgumentMistake {
    /** Where the mistake is, e.g. `endpoint.autoscaling.maxCapacity`, `models[1].path`, `name` (the component's name). */
    readonly path: string;
    /** What is wrong, e.g. `must be a positive integer; got 0`. */
    readonly reason: string;
}

/** Invalid ModelApiArgs: thrown by the constructor before any resource is created, naming every mistake. */
export class ArgumentError extends pulumi.InputPropertiesError {
    /** Every mistake found, in the order the checks ran; empty for an error made from a message alone. */
    readonly mistakes: readonly ArgumentMistake[];

    constructor(message: string, mistakes: readonly ArgumentMistake[] = []) {
        // The CLI prints each property's path and value before the reason, so the reason it gets is the
        // whole sentence: a reason such as "(5) must not exceed ..." reads on from a path it would not repeat.
        super({ message, errors: mistakes.map((m) => ({ propertyPath: m.path, reason: mistakeText(m) })) });
        this.name = "ArgumentError";
        this.mistakes = mistakes;
    }
}

/** @internal One mistake as a sentence: `endpoint.instanceCount must be a positive integer; got 0`. */
export function mistakeText({ path, reason }: ArgumentMistake): string {
    // A reason may go on with a colon after the path ("monitoring.alarms.apiLatency: periodSeconds x ...").
    return reason.startsWith(":") ? `${path}${reason}` : `${path} ${reason}`;
}

/**
 * @internal The error for the mistakes in the arguments of the ModelApi named `name`: one mistake on the
 * line that names the component, several each on its own line below it.
 */
export function argumentError(name: string, mistakes: readonly ArgumentMistake[]): ArgumentError {
    const prefix = `ModelApi "${name}": `;
    const message =
        mistakes.length === 1
            ? prefix + mistakeText(mistakes[0])
            : `${prefix}${mistakes.length} mistakes in the arguments:\n` + mistakes.map((m) => `  - ${mistakeText(m)}`).join("\n");
    return new ArgumentError(message, mistakes);
}
