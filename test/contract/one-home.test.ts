/**
 * One home for each fact of the data path: routes, limits, header names, SageMaker names and binary
 * media types are written in contract/ only. A second literal elsewhere is how two copies start to
 * disagree, so this test names every file that holds one.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROUTES } from "../../contract";

const ROOT = path.join(__dirname, "..", "..");
const SCANNED = ["components", "core", "lambda", "local", "stacks"];

/** What may be written only in contract/, with why a match is a second copy. */
const FACTS: { name: string; pattern: RegExp; only?: string[] }[] = [
    // A route template as a string literal (doc comments that mention a route are fine).
    ...ROUTES.filter((r) => r.path !== "/models").map((r) => ({
        name: `route ${r.path}`,
        pattern: new RegExp(`["'\`]${r.path.replace(/[{}]/g, "\\$&")}["'\`]`),
    })),
    // The API's /models (the container's own POST /models is the local runtime's business).
    { name: "route /models", pattern: /["'`]\/models["'`]/, only: ["components", "lambda", "stacks"] },
    { name: "a route built by hand", pattern: /\/models\/\$\{[^}]+\}\/predict/ },
    { name: "a size in MB", pattern: /\b\d+\s*\*\s*1024\s*\*\s*1024\b/ },
    { name: "a payload limit in bytes", pattern: /\b(6291456|4194304|10485760|6_291_456|4_194_304|10_485_760)\b/ },
    { name: "an InvokeEndpoint header name", pattern: /["'`]x-amzn-sagemaker-[a-z-]+["'`]/i },
    { name: "the API key header name", pattern: /["'`]x-api-key["'`]/i },
    { name: "the production variant", pattern: /["'`]AllTraffic["'`]/ },
    { name: "the local account id", pattern: /["'`:]000000000000\b/ },
    { name: "a target model name built by hand", pattern: /\$\{[^}]*[nN]ame[^}]*\}\.tar\.gz`/ },
    { name: "a binary media type", pattern: /["'`]application\/x-npy["'`]/ },
];

/** A line that only looks like a fact (a buffer size that happens to be in MB) says so, with its reason. */
const NOT_A_FACT = /\/\/ not a data-path fact: \S/;

function sources(dir: string): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...sources(full));
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
    }
    return out;
}

describe("the data-path contract", function () {
    it("is the only place a route, a limit, a header name or a SageMaker name is written", function () {
        const found: string[] = [];
        for (const top of SCANNED) {
            for (const file of sources(path.join(ROOT, top))) {
                const lines = fs.readFileSync(file, "utf8").split("\n");
                lines.forEach((line, i) => {
                    if (/^\s*(\*|\/\/|\/\*\*)/.test(line)) return; // comments explain, they do not define
                    if (NOT_A_FACT.test(line)) return;
                    for (const fact of FACTS) {
                        if (fact.only && !fact.only.includes(top)) continue;
                        if (fact.pattern.test(line)) found.push(`${path.relative(ROOT, file)}:${i + 1}: ${fact.name}: ${line.trim()}`);
                    }
                });
            }
        }
        assert.deepEqual(found, [], `import these from contract/ instead:\n${found.join("\n")}`);
    });

    it("catches a second literal (the scan itself works)", function () {
        const probe = 'const route = "/predict"; const limit = 6 * 1024 * 1024; headers["x-amzn-sagemaker-target-model"];';
        const names = FACTS.filter((f) => f.pattern.test(probe)).map((f) => f.name);
        assert.deepEqual(names, ["route /predict", "a size in MB", "an InvokeEndpoint header name"]);
    });
});
