/**
 * The example model: trained on the spot with the container's Python, so a fresh clone has
 * something to serve without downloading anything.
 *   npm run example-model            → .modelapi/example-model (the twin's default, reused once trained)
 *   npm run example-model -- DIR     → DIR (the dev stack uses models/iris)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { checkPythonModules, pythonPath } from "./python";

const REPO_ROOT = path.resolve(__dirname, "..");
const TRAINER = path.join(__dirname, "train_example.py");

/** A row of iris features (sepal length, sepal width, petal length, petal width) for sample requests. */
export const EXAMPLE_ROWS = [
    [5.1, 3.5, 1.4, 0.2],
    [6.7, 3.0, 5.2, 2.3],
];

/** The trainer was stopped by a signal (Ctrl-C while training): a stop, not a failure. */
export class TrainingInterrupted extends Error {}

export function defaultExampleDir(): string {
    return path.join(REPO_ROOT, ".modelapi", "example-model");
}

/** Trains the example into `dir`; unless `force`, a model already there is reused. Returns `dir`. */
export function ensureExampleModel(
    dir: string = defaultExampleDir(),
    opts: { force?: boolean; log?: (line: string) => void } = {},
): string {
    const log = opts.log ?? (() => undefined);
    const modelFile = path.join(dir, "model.joblib");
    if (!opts.force && fs.existsSync(modelFile)) {
        log(`using the example model in ${dir}`);
        return dir;
    }
    const python = pythonPath();
    checkPythonModules(["numpy", "sklearn", "joblib"], python);
    log(`training the example model (iris, scikit-learn) into ${dir}`);
    const result = spawnSync(python, [TRAINER, dir], { encoding: "utf8", timeout: 120_000 });
    // Ctrl-C reaches the trainer too, and Python ends an uncaught KeyboardInterrupt by SIGINT.
    if (result.signal === "SIGINT" || result.signal === "SIGTERM" || result.signal === "SIGHUP") {
        throw new TrainingInterrupted(`training the example model was stopped by ${result.signal}`);
    }
    if (result.error || result.status !== 0) {
        throw new Error(`training the example model failed: ${result.error?.message ?? result.stderr.trim()}`);
    }
    log(result.stdout.trim());
    return dir;
}

if (require.main === module) {
    const args = process.argv.slice(2);
    if (args.includes("--help") || args.includes("-h") || args.length > 1) {
        console.log("usage: npm run example-model [-- DIR]   (default DIR: .modelapi/example-model)");
        process.exit(args.length > 1 ? 2 : 0);
    }
    try {
        // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
        const dir = ensureExampleModel(args[0] ? path.resolve(process.env.INIT_CWD || process.cwd(), args[0]) : defaultExampleDir(), {
            force: true,
            log: (line) => console.log(`[example-model] ${line}`),
        });
        console.log(`[example-model] wrote ${path.join(dir, "model.joblib")}`);
    } catch (err) {
        console.error(`[example-model] ${(err as Error).message}`);
        process.exit(1);
    }
}
