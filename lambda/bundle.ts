/**
 * Builds the Lambda's code: one minified CommonJS file, `index.js`, with the AWS SDK inside.
 * The SDK is bundled rather than taken from the Lambda runtime so that what runs in AWS is the
 * version the tests ran against, and so the file's hash (and the Lambda's code hash) changes
 * only when our code or our lockfile does.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_NAME, packageRoot } from "../core/package-root";

const BUNDLE_DIR = path.join("dist", "lambda-bundle");
const BUNDLE_FILE = "index.js";

/**
 * Bundles lambda/handler.ts into `<outDir>/index.js` and returns that file's absolute path.
 * Same sources and lockfile give byte-identical output: no sourcemap, no legal comments,
 * no timestamps, paths relative to the package root.
 */
export function buildLambdaBundle(outDir: string = path.join(packageRoot(), BUNDLE_DIR)): string {
    const root = packageRoot();
    // Required here, not at the top: installed packages have no esbuild and use the prebuilt file.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from the package root at run time
    const esbuild = require(require.resolve("esbuild", { paths: [root] })) as typeof import("esbuild");
    const result = esbuild.buildSync({
        absWorkingDir: root,
        entryPoints: [path.join(root, "lambda", "handler.ts")],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        // The SDK's ES module builds tree-shake; its CommonJS builds do not (about 30% smaller, faster to load).
        mainFields: ["module", "main"],
        minify: true,
        sourcemap: false,
        legalComments: "none",
        metafile: false,
        charset: "utf8",
        write: false,
        logLevel: "silent",
        outfile: path.join(outDir, BUNDLE_FILE),
    });
    const file = path.resolve(outDir, BUNDLE_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename: a concurrent reader (another stack's program, a test) never sees half a file.
    // The temporary file sits beside the directory, not in it: the whole directory is the Lambda's code.
    const temp = path.join(path.dirname(path.dirname(file)), `.${path.basename(path.dirname(file))}.${process.pid}.tmp`);
    fs.writeFileSync(temp, result.outputFiles[0].contents);
    fs.renameSync(temp, file);
    return file;
}

/** @internal The decision behind resolveLambdaBundle, separated so each branch can be tested. */
export function chooseBundleDir(opts: { sourceDir: string; root: string; build: (outDir: string) => string }): string {
    const outDir = path.join(opts.root, BUNDLE_DIR);
    const prebuilt = path.join(outDir, BUNDLE_FILE);
    let buildError: unknown;
    if (fs.existsSync(path.join(opts.sourceDir, "handler.ts")) && canResolve("esbuild", opts.root)) {
        try {
            return path.dirname(opts.build(outDir));
        } catch (err) {
            buildError = err;
        }
    }
    if (fs.existsSync(prebuilt)) {
        return outDir;
    }
    const why =
        buildError instanceof Error ? `building it failed: ${buildError.message}` : "the sources or esbuild are not available to build it";
    throw new Error(`No Lambda bundle: ${prebuilt} does not exist and ${why}. Run \`npm run build\` in the ${PACKAGE_NAME} package.`);
}

let resolved: string | undefined;

/**
 * The directory holding the `index.js` the Lambda ships (runtime handler `index.handler`).
 * From sources (lambda/handler.ts beside this module, esbuild installed) it is built fresh into
 * `<package root>/dist/lambda-bundle/`; an installed package uses the prebuilt file there.
 * Built at most once per process: several ModelApi instances share it.
 */
export function resolveLambdaBundle(): string {
    resolved ??= chooseBundleDir({ sourceDir: __dirname, root: packageRoot(), build: buildLambdaBundle });
    return resolved;
}

function canResolve(moduleName: string, root: string): boolean {
    try {
        require.resolve(moduleName, { paths: [root] });
        return true;
    } catch {
        return false;
    }
}

if (require.main === module) {
    const file = buildLambdaBundle();
    const bytes = fs.readFileSync(file);
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    console.log(`${file} ${bytes.length} bytes sha256 ${sha256}`);
}
