/**
 * `npm start`: the whole ModelApi data path on this machine, no AWS account needed.
 * Prints progress while preparing, then the URL, the API key, a curl line, the local SageMaker runtime
 * and one machine-readable line `ready {"url": ..., "apiKey": ..., "pid": ...}`; Ctrl-C (SIGINT) or
 * SIGTERM stops everything it started.
 */
import { randomBytes } from "crypto";
import { routesFor, targetModelName } from "../contract";
import { DOCS_PATH, OPENAPI_PATH, POSTMAN_PATH } from "./api-docs";
import { type CliOptions, parseArgs, USAGE, UsageError } from "./args";
import { EXAMPLE_ROWS, ensureExampleModel, TrainingInterrupted } from "./example-model";
import { ensureLocalImage } from "./image";
import { LocalTwin, StoppedError, type TwinInfo } from "./twin";

// Written to the streams directly: the handler's console is routed to the log (see twin.ts).
const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => say(`[modelapi] ${line}`);
const log = (source: string, line: string) => process.stderr.write(`[${source}] ${line}\n`);
const error = (line: string) => process.stderr.write(`[modelapi] error: ${line}\n`);

/** API Gateway's keys are 40 letters and digits; so are these. */
function randomApiKey(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return [...randomBytes(40)].map((b) => alphabet[b % alphabet.length]).join("");
}

function announce(info: TwinInfo, opts: CliOptions, apiKey: string, example: boolean): void {
    const names = opts.models.map((m) => m.name);
    const routes = routesFor(opts.multiModel, opts.async);
    const predict = routes.find((r) => r.method === "POST")!.path.replace("{name}", names[0]);
    const body = JSON.stringify({ instances: [EXAMPLE_ROWS[0]] });
    say("");
    say(`ModelApi is serving ${served(opts, names)} locally.`);
    say(`  URL:      ${info.url}`);
    say(`  API key:  ${apiKey}   (send it as the x-api-key header)`);
    say(`  Routes:   ${routes.map((r) => `${r.method} ${r.path}`).join(", ")}`);
    say(`  Try it${example ? "" : " (put your model's features in the row)"}:`);
    say(`    curl -s -X POST ${info.url}${predict} -H 'x-api-key: ${apiKey}' -H 'Content-Type: application/json' -d '${body}'`);
    say(`  API docs: ${info.url}${DOCS_PATH}   (Swagger UI: Authorize with the key, then Try it out)`);
    say(`  OpenAPI:  ${info.url}${OPENAPI_PATH}`);
    say(`  Postman:  ${info.url}${POSTMAN_PATH}   (import it, then set the apiKey variable)`);
    say(`  Runtime:  ${info.runtimeUrl}   (SageMaker Runtime for AWS SDKs and the CLI: --endpoint-url, any credentials)`);
    say(`  Endpoint: ${info.endpointName}${opts.multiModel ? `   (TargetModel: ${names.map(targetModelName).join(", ")})` : ""}`);
    if (opts.variants.length > 0) {
        say(`  Versions: pin one with -H 'X-ModelApi-Variant: ${opts.variants[0].name}'; every answer names its version in that header.`);
    }
    if (opts.shadow) say(`  Shadow:   ${opts.shadow.name} is compared with production on stderr, live and when the twin stops.`);
    if (info.s3) {
        say(`  Async:    POST ${predict} answers 202 {"id", "location"}; poll GET /predictions/{id} until it is not 202.`);
        say(`            Larger inputs: POST /uploads {"contentType", "contentLength"}, PUT the bytes to its uploadUrl,`);
        say(`            then POST /uploads/{id}/predict.`);
        say(`  S3:       ${info.s3.url}   (bucket ${info.s3.bucket}; access key and secret S3RVER)`);
        say(`  Uploads:  ${info.s3.uploads}`);
        say(`  Results:  ${info.s3.outputs}   (failures: ${info.s3.failures})`);
    }
    say(`  Stop with Ctrl-C, or kill -INT ${process.pid}.`);
    const ready: Record<string, unknown> = { url: info.url, apiKey };
    if (opts.multiModel) ready.models = names;
    ready.pid = process.pid;
    ready.serverPid = info.serverPid;
    ready.runtimeUrl = info.runtimeUrl;
    ready.endpointName = info.endpointName;
    if (info.variantServerPids) ready.variantServerPids = info.variantServerPids;
    if (info.s3) ready.s3 = info.s3;
    ready.openApi = `${info.url}${OPENAPI_PATH}`;
    ready.docs = `${info.url}${DOCS_PATH}`;
    ready.postman = `${info.url}${POSTMAN_PATH}`;
    say(`ready ${JSON.stringify(ready)}`);
}

function served(opts: CliOptions, names: string[]): string {
    if (opts.multiModel) return `${names.length} models (${names.join(", ")}) from one multi-model endpoint`;
    const versions =
        opts.variants.length > 0
            ? `${opts.variants.length === 1 ? "variant" : "variants"} ${opts.variants.map((v) => `${v.name} (weight ${v.weight})`).join(", ")}`
            : names[0];
    return opts.shadow ? `${versions} with shadow ${opts.shadow.name} (${opts.shadow.percent} % of requests)` : versions;
}

/**
 * A second signal this soon after the first is the same stop: a Ctrl-C in a terminal reaches the twin
 * from the terminal and again from npm, which passes the signals it gets on to its script, a few ms apart.
 */
const REPEATED_SIGNAL_MS = 500;

async function main(): Promise<number> {
    let opts: CliOptions;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        error(`${err.message}${err.message.includes("--help") ? "" : " (see --help)"}`);
        return 2;
    }
    if (opts.help) {
        say(USAGE);
        return 0;
    }
    const apiKey = opts.apiKey ?? randomApiKey();
    const example = opts.models.length === 0 && opts.variants.length === 0;

    let twin: LocalTwin | undefined;
    let stopping = false;
    // Stops an image build under way.
    const building = new AbortController();
    let build: Promise<string> | undefined;
    let firstSignal: { signal: NodeJS.Signals; at: number } | undefined;
    const stop = (signal: NodeJS.Signals) => {
        if (firstSignal) {
            if (signal === firstSignal.signal && Date.now() - firstSignal.at < REPEATED_SIGNAL_MS) return;
            // A second Ctrl-C: do not wait for a graceful stop (the exit hook kills the server).
            process.exit(130);
        }
        firstSignal = { signal, at: Date.now() };
        stopping = true;
        progress(`${signal}: stopping`);
        building.abort();
        void (async () => {
            // The build removes what it had half made before it ends.
            await build?.catch(() => undefined);
            await twin?.close();
            progress("stopped; nothing is left running");
            process.exit(0);
        })();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    // Closing the terminal: the model server runs in its own session and would not get the hang-up itself.
    process.on("SIGHUP", stop);

    try {
        if (example) {
            const dir = ensureExampleModel(undefined, { log: progress });
            opts.models = [{ name: "example", path: dir }];
        }
        if (opts.localImage) {
            progress("the serving image from container/: building it unless it is built already (npm run image)");
            build = ensureLocalImage((line) => log("image", line), building.signal);
            opts.image = await build;
            progress(`using image ${opts.image}`);
        }
        if (stopping) return -1;
        twin = new LocalTwin({ ...opts, apiKey, progress, log });
        if (stopping) return 0;
        const info = await twin.start();
        announce(info, opts, apiKey, example);
        return -1; // keep serving until a signal arrives
    } catch (err) {
        if (err instanceof StoppedError || stopping) return -1;
        if (err instanceof TrainingInterrupted) {
            // Nothing was started yet; the signal's own handler may not run before we exit.
            progress(`${err.message}; nothing is left running`);
            return 0;
        }
        error(describe(err, opts.port));
        return 1;
    }
}

function describe(err: unknown, port: number): string {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE") {
        return `port ${port} on 127.0.0.1 is already in use; stop what is using it, or pick another port with --port N (--port 0 picks a free one)`;
    }
    if (e.code === "EACCES") {
        return `port ${port} on 127.0.0.1 cannot be opened without privileges; pick another with --port N`;
    }
    return e.message ?? String(err);
}

main().then(
    (code) => {
        if (code >= 0) process.exit(code);
    },
    (err) => {
        error(String((err as Error).stack ?? err));
        process.exit(1);
    },
);
