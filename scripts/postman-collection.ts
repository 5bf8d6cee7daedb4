/**
 * `npm run postman -- [--stack NAME] [--outputs FILE] [--out-dir DIR]`: writes the Postman collection of
 * each API of a stack, from the stack's `postmanCollection` outputs, to `<api>.postman_collection.json`.
 * Reads `pulumi stack output --json` (or a file saved from it). Secrets are never asked for: the
 * collection has the API key as an empty variable, to be set in Postman from `pulumi stack output apiKey
 * --show-secrets`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

const USAGE = `Usage: npm run postman -- [--stack NAME] [--outputs FILE] [--out-dir DIR]
  --stack NAME     the stack to read (default: the selected stack)
  --outputs FILE   read outputs saved with "pulumi stack output --json" instead of running pulumi
  --out-dir DIR    where to write <api>.postman_collection.json (default: the current directory)`;

/** The collections among a stack's outputs: one ModelApi at the top level, or several under `apis`. */
export function collectionsOf(outputs: Record<string, unknown>): { name: string; collection: string }[] {
    const found: { name: string; collection: string }[] = [];
    const take = (fallback: string, entry: Record<string, unknown>) => {
        const text = entry.postmanCollection;
        if (typeof text !== "string") return;
        const title = (JSON.parse(text) as { info?: { name?: string } }).info?.name ?? fallback;
        found.push({ name: title.replace(/ model API$/, "").replace(/[^A-Za-z0-9._-]/g, "-"), collection: text });
    };
    take("api", outputs);
    const apis = outputs.apis;
    if (typeof apis === "object" && apis !== null) {
        for (const [name, entry] of Object.entries(apis)) {
            if (typeof entry === "object" && entry !== null) take(name, entry as Record<string, unknown>);
        }
    }
    return found;
}

function readOutputs(stack: string | undefined, file: string | undefined): Record<string, unknown> {
    if (file) {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    }
    const args = ["stack", "output", "--json", ...(stack ? ["--stack", stack] : [])];
    const run = spawnSync("pulumi", args, { encoding: "utf8" });
    if (run.error || run.status !== 0) {
        throw new Error(`pulumi ${args.join(" ")} failed: ${run.error?.message ?? run.stderr.trim()}`);
    }
    return JSON.parse(run.stdout) as Record<string, unknown>;
}

function main(argv: string[]): number {
    let values: { stack?: string; outputs?: string; "out-dir"?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                outputs: { type: "string" },
                "out-dir": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    try {
        const collections = collectionsOf(readOutputs(values.stack, values.outputs));
        if (collections.length === 0) {
            throw new Error("the stack has no postmanCollection output; deploy it with this version of ModelApi first (pulumi up)");
        }
        const dir = values["out-dir"] ?? process.cwd();
        fs.mkdirSync(dir, { recursive: true });
        for (const { name, collection } of collections) {
            const file = path.join(dir, `${name}.postman_collection.json`);
            fs.writeFileSync(file, collection.endsWith("\n") ? collection : `${collection}\n`);
            process.stdout.write(`wrote ${file}\n`);
        }
        process.stdout.write("Import it in Postman, then set the apiKey variable to: pulumi stack output apiKey --show-secrets\n");
        return 0;
    } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
