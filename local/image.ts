/**
 * The serving image built from container/ on this machine (`npm run image`, or `npm start -- --image`
 * without a value): named `localhost/modelapi-serving:<content tag>` with the tag the component gives
 * the image it pushes to ECR, so the image tried locally and the one deployed come from the same files.
 * The build recipe itself is scripts/image.sh, shared with the image test.
 */
import { spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import { contextTag } from "../core/archive/context-hash";
import { defaultImageContext } from "../core/package-root";

const REPO_ROOT = path.resolve(__dirname, "..");
export const LOCAL_IMAGE_REPOSITORY = "localhost/modelapi-serving";

/** The local image's name for the files in `context` (default: the component's default context) as they are now. */
export function localImageName(context: string = defaultImageContext()): string {
    return `${LOCAL_IMAGE_REPOSITORY}:${contextTag(context)}`;
}

/**
 * Builds the local image unless it exists, streaming the build's progress to `log`, and resolves with
 * its name. `signal` stops a build under way (and so does the exit of this process).
 */
export async function ensureLocalImage(log: (line: string) => void, signal?: AbortSignal): Promise<string> {
    const name = localImageName();
    // Its own process group, so a stop reaches the build tools it runs as well.
    const child = spawn("bash", [path.join(REPO_ROOT, "scripts", "image.sh"), name], {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
    });
    const stop = () => {
        try {
            process.kill(-child.pid!, "SIGTERM");
        } catch {
            // already gone
        }
    };
    signal?.addEventListener("abort", stop, { once: true });
    process.once("exit", stop);
    // The script prefixes its lines with [image], as the twin does.
    readline.createInterface({ input: child.stderr! }).on("line", (line) => log(line.replace(/^\[image\] /, "")));
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const status = await new Promise<number | null>((resolve, reject) => {
        child.once("error", (err) => reject(new Error(`cannot run scripts/image.sh: ${err.message}`)));
        child.once("close", (code) => resolve(code));
    }).finally(() => {
        signal?.removeEventListener("abort", stop);
        process.removeListener("exit", stop);
    });
    if (signal?.aborted) throw new Error("the image build was stopped");
    if (status !== 0 || stdout.trim() !== name) {
        throw new Error(`building the serving image ${name} failed (its output is above); \`npm run image\` retries it alone`);
    }
    return name;
}

if (require.main === module) {
    // scripts/image.sh asks for the name this way, so the tag is computed by the component's own code.
    if (process.argv[2] === "--name") {
        process.stdout.write(`${localImageName()}\n`);
    } else {
        process.stderr.write("usage: local/image.ts --name   (to build the image: npm run image)\n");
        process.exit(2);
    }
}
