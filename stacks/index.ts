/**
 * The Pulumi program (Pulumi.yaml `main: stacks/`): reads the `modelapi:*` stack config and deploys one
 * ModelApi per model, or one multi-model ModelApi. The README lists the keys (Stack configuration).
 */
import * as pulumi from "@pulumi/pulumi";
import { ArgumentError } from "../components";
import { CONFIG_KEYS, ConfigError, findProjectDir, NAMESPACE, planNetwork, planStack, RawConfig } from "./config";
import { runStack } from "./program";

function main(): { [key: string]: unknown } {
    const config = new pulumi.Config(NAMESPACE);
    const raw: RawConfig = Object.fromEntries(CONFIG_KEYS.map((key) => [key, config.get(key)]));
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
