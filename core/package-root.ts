/**
 * Where the installed package is, found from this module's own location and never from
 * `process.cwd()` (the user's program): the files the package ships (the Lambda bundle, the image
 * build context, the docs page's handler) are read from there.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The package's name in its package.json. */
export const PACKAGE_NAME = "modelapi";

/** Walks up from `from` (default: this module) to the package that ships it. */
export function packageRoot(from: string = __dirname): string {
    let dir = from;
    for (let depth = 0; depth < 32; depth++) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest)) {
            try {
                if (JSON.parse(fs.readFileSync(manifest, "utf8")).name === PACKAGE_NAME) return dir;
            } catch {
                // An unreadable manifest is not ours; keep walking.
            }
        }
        const parent = path.dirname(dir);
        if (parent === dir) break;
        dir = parent;
    }
    throw new Error(`Cannot find the ${PACKAGE_NAME} package.json above ${from}`);
}

/** The serving image's build context shipped with this package: its `container/` directory. */
export function defaultImageContext(): string {
    return path.join(packageRoot(), "container");
}
