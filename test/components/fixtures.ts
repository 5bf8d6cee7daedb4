/** Small files on disk for the component tests: model directories and image contexts in a temp dir. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ModelApiArgs } from "../../components";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "modelapi-components-"));
// Archives packed from these directories may still be read by later suites, so the root goes when the process does.
process.on("exit", () => fs.rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A fresh empty directory under the suite's temp root. */
export function tempDir(prefix = "dir"): string {
    const dir = path.join(root, `${prefix}-${counter++}`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
}

/** A model directory with the given files (name → content). */
export function modelDir(
    files: { [name: string]: string } = { "model.joblib": "weights-v1", "code/inference.py": "def model_fn(d):\n    return d\n" },
): string {
    return writeFiles("model", files);
}

/** A tiny Docker build context. */
export function imageContext(files: { [name: string]: string } = { Dockerfile: "FROM scratch\n", "serve.py": "print('hi')\n" }): string {
    return writeFiles("context", files);
}

function writeFiles(prefix: string, files: { [name: string]: string }): string {
    const dir = tempDir(prefix);
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}

/**
 * What most component tests start from: a model directory, a tiny image context, and the one-model
 * arguments (`iris()`) that use both.
 */
export function irisFixture(): {
    irisDir: string;
    context: string;
    iris: () => { models: { name: string; path: string }[]; image: { context: string } };
    /** `iris()` with an `endpoint` argument and any others. */
    withEndpoint: (endpoint: ModelApiArgs["endpoint"], extra?: Partial<ModelApiArgs>) => ModelApiArgs;
} {
    const irisDir = modelDir();
    const context = imageContext();
    const iris = () => ({ models: [{ name: "iris", path: irisDir }], image: { context } });
    return { irisDir, context, iris, withEndpoint: (endpoint, extra = {}) => ({ ...iris(), endpoint, ...extra }) };
}
