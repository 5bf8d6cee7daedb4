/**
 * The Pulumi program (Pulumi.yaml `main: stacks/`): reads the `modelapi:*` stack config and deploys one
 * ModelApi per model, or one multi-model ModelApi. The README lists the keys (Stack configuration).
 */
import * as pulumi from "@pulumi/pulumi";
import { ArgumentError } from "../components";
import { ConfigError, findProjectDir, NAMESPACE, planNetwork, planStack, RawConfig } from "./config";
import { runStack } from "./program";

function main(): { [key: string]: unknown } {
    // Every key under the namespace, known or not, so a misspelt one is refused rather than ignored.
    const prefix = `${NAMESPACE}:`;
    const raw: RawConfig = Object.fromEntries(
        Object.entries(pulumi.runtime.allConfig())
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    try {
        const projectDir = pulumi.runtime.getRootDirectory() || findProjectDir(__dirname);
        return runStack(planStack(raw, projectDir), planNetwork(raw).vpc);
    } catch (err) {
        // A mistake in the stack's settings is reported as one line, not as a stack trace of our internals.
        if (err instanceof ConfigError || err instanceof ArgumentError) {
            throw new pulumi.RunError(err.message);
        }
        throw err;
    }
}

export = main();
