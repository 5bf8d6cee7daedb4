/**
 * A watchdog for the model server: a small separate process that stops the server's process group
 * when the twin is gone without having stopped it (kill -9, a crash), so no server is left holding
 * a port. The twin stops the watchdog itself when it stops the server the normal way.
 */
import { type ChildProcess, spawn } from "child_process";

/** Runs as `node -e SCRIPT twinPid serverGroup removeDir [cleanup command...]` (removeDir may be ""). */
const SCRIPT = `// modelapi local twin: model server watchdog
const { spawnSync } = require("child_process");
const fs = require("fs");
const [twin, group] = process.argv.slice(1, 3).map(Number);
const removeDir = process.argv[3];
const cleanup = process.argv.slice(4);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const kill = (sig) => { try { process.kill(-group, sig); } catch {} };
const finish = () => {
    if (cleanup.length > 0) spawnSync(cleanup[0], cleanup.slice(1), { stdio: "ignore", timeout: 30000 });
    if (removeDir) fs.rmSync(removeDir, { recursive: true, force: true });
    process.exit(0);
};
let termAt = 0;
setInterval(() => {
    if (!alive(-group)) return termAt ? finish() : process.exit(0);
    if (!termAt && alive(twin)) return;
    if (!termAt) {
        termAt = Date.now();
        kill("SIGTERM");
    } else if (Date.now() - termAt > 5000) {
        kill("SIGKILL");
        finish();
    }
}, 250);
`;

export interface Watchdog {
    stop(): void;
}

/**
 * Watches this process on behalf of `serverGroup`; once the group is killed, `cleanup` runs (e.g.
 * `podman rm -f NAME`) and `removeDir` is deleted.
 */
export function startWatchdog(serverGroup: number, opts: { cleanup?: string[]; removeDir?: string } = {}): Watchdog {
    const args = [String(process.pid), String(serverGroup), opts.removeDir ?? "", ...(opts.cleanup ?? [])];
    const child: ChildProcess = spawn(process.execPath, ["-e", SCRIPT, ...args], {
        detached: true,
        stdio: "ignore",
    });
    // It must never keep the twin alive, nor die with the twin's process group on Ctrl-C.
    child.unref();
    return {
        stop: () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        },
    };
}
