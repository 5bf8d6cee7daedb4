import dockerignore from "@balena/dockerignore";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * @internal The SHA-256 of a Docker build context: every file's path, executable bit and bytes, in
 * byte order of their paths, so the same files always give the same image tag and any change to them
 * gives a new one. Paths the context's `.dockerignore` excludes are left out, with Docker's matching rules
 * (`!` exceptions included, by @balena/dockerignore), so that, for example, test caches do not change the
 * tag. The Dockerfile is hashed too when it lives outside the context, and the target platform when one is
 * given: the same files built for another platform are another image.
 */
export function contextHash(context: string, dockerfile?: string, platform?: string): string {
    const root = path.resolve(context);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
        throw new Error(`image context "${context}" is not a directory`);
    }
    const hash = crypto.createHash("sha256");
    for (const rel of contextFiles(root)) {
        addFile(hash, rel, path.join(root, rel));
    }
    if (dockerfile) {
        const file = path.resolve(dockerfile);
        if (path.relative(root, file).startsWith("..")) {
            addFile(hash, "\0dockerfile", file);
        }
    }
    if (platform !== undefined) {
        hash.update(`\0platform\0${platform}`);
    }
    return hash.digest("hex");
}

/** @internal The files of a build context that Docker sends (those `.dockerignore` keeps), in hashing order. */
export function contextFiles(context: string): string[] {
    const root = path.resolve(context);
    return listFiles(root, readDockerignore(root));
}

/** @internal The image tag: a short, readable prefix of the context hash (12 hex digits, like Docker's IDs). */
export function contextTag(context: string, dockerfile?: string, platform?: string): string {
    return contextHash(context, dockerfile, platform).slice(0, 12);
}

function addFile(hash: crypto.Hash, rel: string, file: string): void {
    const stat = fs.statSync(file);
    const bytes = fs.readFileSync(file);
    hash.update(`${rel}\0${stat.mode & 0o100 ? "x" : "-"}\0${bytes.length}\0`);
    hash.update(bytes);
}

function listFiles(root: string, rules: Dockerignore): string[] {
    const files: string[] = [];
    const walk = (relDir: string) => {
        const names = fs.readdirSync(path.join(root, relDir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        for (const name of names) {
            const rel = relDir ? `${relDir}/${name}` : name;
            const stat = fs.statSync(path.join(root, rel));
            if (stat.isDirectory()) {
                // An excluded directory can still hold files an exception brings back; without exceptions
                // nothing below it can count, so it is not read at all.
                if (rules.hasExceptions || !rules.matcher.ignores(rel)) {
                    walk(rel);
                }
            } else if (stat.isFile() && !rules.matcher.ignores(rel)) {
                files.push(rel);
            }
        }
    };
    walk("");
    return files;
}

interface Dockerignore {
    matcher: ReturnType<typeof dockerignore>;
    hasExceptions: boolean;
}

function readDockerignore(root: string): Dockerignore {
    const file = path.join(root, ".dockerignore");
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split(/\r?\n/) : [];
    return {
        matcher: dockerignore().add(lines),
        hasExceptions: lines.some((line) => line.trim().startsWith("!")),
    };
}
