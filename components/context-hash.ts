import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * @internal The SHA-256 of a Docker build context: every file's path, executable bit and bytes, in
 * byte order of their paths, so the same files always give the same image tag and any change to them
 * gives a new one. Paths excluded by a simple `.dockerignore` are left out so that, for example, test
 * caches do not change the tag; a `.dockerignore` with `!` exceptions is not interpreted and the whole
 * context is hashed, since hashing too much only costs a rebuild while hashing too little hides a change.
 * The Dockerfile is hashed too when it lives outside the context.
 */
export function contextHash(context: string, dockerfile?: string): string {
    const root = path.resolve(context);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
        throw new Error(`image context "${context}" is not a directory`);
    }
    const ignored = readDockerignore(root);
    const hash = crypto.createHash("sha256");
    for (const rel of listFiles(root, ignored)) {
        addFile(hash, rel, path.join(root, rel));
    }
    if (dockerfile) {
        const file = path.resolve(dockerfile);
        if (path.relative(root, file).startsWith("..")) {
            addFile(hash, "\0dockerfile", file);
        }
    }
    return hash.digest("hex");
}

/** @internal The image tag: a short, readable prefix of the context hash (12 hex digits, like Docker's IDs). */
export function contextTag(context: string, dockerfile?: string): string {
    return contextHash(context, dockerfile).slice(0, 12);
}

function addFile(hash: crypto.Hash, rel: string, file: string): void {
    const stat = fs.statSync(file);
    const bytes = fs.readFileSync(file);
    hash.update(`${rel}\0${stat.mode & 0o100 ? "x" : "-"}\0${bytes.length}\0`);
    hash.update(bytes);
}

function listFiles(root: string, ignored: (rel: string) => boolean): string[] {
    const files: string[] = [];
    const walk = (relDir: string) => {
        const names = fs.readdirSync(path.join(root, relDir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        for (const name of names) {
            const rel = relDir ? `${relDir}/${name}` : name;
            if (ignored(rel)) {
                continue;
            }
            const stat = fs.statSync(path.join(root, rel));
            if (stat.isDirectory()) {
                walk(rel);
            } else if (stat.isFile()) {
                files.push(rel);
            }
        }
    };
    walk("");
    return files;
}

function readDockerignore(root: string): (rel: string) => boolean {
    const file = path.join(root, ".dockerignore");
    if (!fs.existsSync(file)) {
        return () => false;
    }
    const patterns = fs
        .readFileSync(file, "utf8")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"));
    if (patterns.some((p) => p.startsWith("!"))) {
        return () => false;
    }
    const regexes = patterns.map(globToRegExp);
    // A path is ignored when it, or a directory above it, matches.
    return (rel) => regexes.some((re) => re.test(rel));
}

function globToRegExp(pattern: string): RegExp {
    const clean = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
    let source = "";
    for (let i = 0; i < clean.length; i++) {
        const c = clean[i];
        if (c === "*" && clean[i + 1] === "*" && clean[i + 2] === "/") {
            source += "(?:.*/)?"; // `**/` matches zero or more whole directories
            i += 2;
        } else if (c === "*" && clean[i + 1] === "*") {
            source += ".*";
            i++;
        } else if (c === "*") {
            source += "[^/]*";
        } else if (c === "?") {
            source += "[^/]";
        } else {
            source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
        }
    }
    return new RegExp(`^${source}(?:/.*)?$`);
}
