/**
 * Lambda handler benchmark (not a test): bundle size, cold initialisation and warm overhead.
 *
 *   npm run bench:lambda            (BENCH_COLD_RUNS=30 BENCH_WARM_REQUESTS=2000 by default)
 *
 * Cold: wall time of a fresh `node` that loads the bundle and constructs the client, minus a
 * bare `node -e ''`, median of interleaved runs. Warm: the bundled handler against a loopback
 * SageMaker Runtime stand-in, minus a raw keep-alive HTTP round trip with the same body to the
 * same server; the handler's log line is built but not written to the terminal.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { SageMakerRuntimeServer } from "../../test/lambda/sagemaker-runtime-server";
import { routesFor } from "../../contract";
import { buildLambdaBundle } from "../bundle";

const PREDICT_PATH = routesFor(false)[0].path;

const COLD_RUNS = bounded(process.env.BENCH_COLD_RUNS, 30, 200);
const WARM_REQUESTS = bounded(process.env.BENCH_WARM_REQUESTS, 2000, 20000);
const WARMUP_REQUESTS = 200;
const BODY = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });
const ENDPOINT = "bench-endpoint";

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

async function main(): Promise<void> {
    const bundle = buildLambdaBundle();
    const bytes = fs.readFileSync(bundle);
    const server = new SageMakerRuntimeServer();
    const url = await server.start();
    const env = {
        ...process.env,
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        AWS_MAX_ATTEMPTS: "1",
        ENDPOINT_NAME: ENDPOINT,
    };
    try {
        const cold = await coldStart(bundle, env);
        Object.assign(process.env, env);
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is a file built at run time
        const warm = await warmOverhead(require(bundle).handler as Handler, url);
        report(bundle, bytes, cold, warm);
    } finally {
        await server.stop();
    }
}

interface Cold {
    bare: number;
    init: number;
    initInProcess: number;
    firstRequest: number;
}

/** Interleaved so that drift in machine load hits both sides alike. */
async function coldStart(bundle: string, env: NodeJS.ProcessEnv): Promise<Cold> {
    // The child also reports its own load + construct time, which process start-up noise does not touch.
    const initScript = `const t = process.hrtime.bigint(); require(${JSON.stringify(bundle)}).getClient(); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`;
    const firstRequestScript = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event())}).then((r) => { if (r.statusCode !== 200) process.exit(1); })`;
    const bare: number[] = [];
    const init: number[] = [];
    const inProcess: number[] = [];
    const first: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
        bare.push((await timeNode("", env)).wallMs);
        const run = await timeNode(initScript, env);
        init.push(run.wallMs);
        inProcess.push(Number(run.stdout));
        first.push((await timeNode(firstRequestScript, env)).wallMs);
    }
    return { bare: median(bare), init: median(init), initInProcess: median(inProcess), firstRequest: median(first) };
}

function timeNode(script: string, env: NodeJS.ProcessEnv): Promise<{ wallMs: number; stdout: string }> {
    return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint();
        const child = spawn(process.execPath, ["-e", script], { env, stdio: ["ignore", "pipe", "ignore"] });
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        const timer = setTimeout(() => child.kill(), 30_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            if (code !== 0) reject(new Error(`node -e ${JSON.stringify(script).slice(0, 80)} exited ${code}`));
            else resolve({ wallMs: ms(start), stdout });
        });
    });
}

interface Warm {
    raw: number[];
    handler: number[];
}

async function warmOverhead(handler: Handler, url: string): Promise<Warm> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const target = new URL(`/endpoints/${ENDPOINT}/invocations`, url);
    const log = console.log;
    console.log = () => undefined;
    try {
        for (let i = 0; i < WARMUP_REQUESTS; i++) {
            await rawRoundTrip(agent, target);
            await handlerRoundTrip(handler);
        }
        const raw: number[] = [];
        const viaHandler: number[] = [];
        for (let i = 0; i < WARM_REQUESTS; i++) {
            raw.push(await rawRoundTrip(agent, target));
            viaHandler.push(await handlerRoundTrip(handler));
        }
        return { raw, handler: viaHandler };
    } finally {
        console.log = log;
        agent.destroy();
    }
}

function rawRoundTrip(agent: http.Agent, target: URL): Promise<number> {
    return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint();
        const req = http.request(
            target,
            {
                method: "POST",
                agent,
                headers: { "Content-Type": "application/json", Accept: "application/json", "Content-Length": Buffer.byteLength(BODY) },
            },
            (res) => {
                res.on("data", () => undefined);
                res.on("end", () => (res.statusCode === 200 ? resolve(ms(start)) : reject(new Error(`raw status ${res.statusCode}`))));
            },
        );
        req.on("error", reject);
        req.end(BODY);
    });
}

async function handlerRoundTrip(handler: Handler): Promise<number> {
    const start = process.hrtime.bigint();
    const res = await handler(event());
    if (res.statusCode !== 200) throw new Error(`handler status ${res.statusCode}: ${res.body}`);
    return ms(start);
}

function event(): APIGatewayProxyEvent {
    return {
        httpMethod: "POST",
        path: PREDICT_PATH,
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        multiValueHeaders: {},
        body: BODY,
        isBase64Encoded: false,
        requestContext: { requestId: "bench" },
    } as unknown as APIGatewayProxyEvent;
}

function report(bundle: string, bytes: Buffer, cold: Cold, warm: Warm): void {
    const sha = crypto.createHash("sha256").update(bytes).digest("hex");
    const f = (n: number) => n.toFixed(2);
    const rows = [
        ["bundle size", `${bytes.length} bytes (${(bytes.length / 1024).toFixed(1)} KiB)`, "≤ 500 KB"],
        ["bare `node -e ''` start", `${f(cold.bare)} ms`, ""],
        ["cold init: load bundle + construct client, above bare node", `${f(cold.init - cold.bare)} ms`, "≤ 60 ms"],
        ["cold init measured inside the child (require + getClient)", `${f(cold.initInProcess)} ms`, ""],
        ["cold first request: load + client + first InvokeEndpoint, above bare node", `${f(cold.firstRequest - cold.bare)} ms`, ""],
        ["raw HTTP round trip, median / p99", `${f(median(warm.raw))} / ${f(p99(warm.raw))} ms`, ""],
        ["handler round trip, median / p99", `${f(median(warm.handler))} / ${f(p99(warm.handler))} ms`, ""],
        ["warm overhead (handler − raw), median", `${f(median(warm.handler) - median(warm.raw))} ms`, "< 1 ms"],
        ["warm overhead (handler − raw), p99", `${f(p99(warm.handler) - p99(warm.raw))} ms`, ""],
    ];
    console.log(`bundle ${bundle} sha256 ${sha}`);
    console.log(
        `node ${process.version}, ${COLD_RUNS} cold runs, ${WARM_REQUESTS} warm requests (after ${WARMUP_REQUESTS} warm-up), body ${Buffer.byteLength(BODY)} bytes\n`,
    );
    console.log("| measure | value | goal |\n|---|---|---|");
    for (const [name, value, goal] of rows) console.log(`| ${name} | ${value} | ${goal} |`);
}

function ms(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
    return quantile(xs, 0.5);
}

function p99(xs: number[]): number {
    return quantile(xs, 0.99);
}

function quantile(xs: number[], q: number): number {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function bounded(raw: string | undefined, fallback: number, max: number): number {
    const n = Number(raw);
    return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
