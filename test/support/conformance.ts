/**
 * Checks an answer of the API against its OpenAPI document: its status is one the operation lists (or falls
 * in a listed range such as `4XX`), its Content-Type one the status lists, its JSON body valid against that
 * media type's schema, its documented headers valid against theirs; an answer API Gateway gives unshaped
 * must be exactly one the document shows (`x-unshaped-answers`), and an error's requestId is the answer's
 * x-amzn-RequestId.
 */
import { mediaType } from "../../contract";
import { UNSHAPED_ANSWERS } from "../../core/api/openapi";
import { schemaChecker } from "./documents";

/** An answer as a client received it. */
export interface Answer {
    status: number;
    headers: Headers;
    body: Buffer;
}

/** The answer to `fetch`, body read as bytes. */
export async function answerOf(res: Response): Promise<Answer> {
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

function resolve(doc: any, node: any): any {
    return node?.$ref
        ? node.$ref
              .split("/")
              .slice(1)
              .reduce((o: any, k: string) => o[k], doc)
        : node;
}

/** `(path template, method, answer) → problems`, "" when the answer is one the document describes. */
export function conformanceChecker(doc: any): (path: string, method: string, answer: Answer) => string {
    const check = schemaChecker(doc);
    return (path, method, answer) => {
        const op = doc.paths[path]?.[method.toLowerCase()];
        if (!op) return `${method} ${path} is not an operation of the document`;
        const status = String(answer.status);
        const response = resolve(doc, op.responses[status] ?? op.responses[`${status[0]}XX`]);
        if (!response) return `status ${status} is not listed for ${method} ${path} (lists ${Object.keys(op.responses).join(", ")})`;
        const contentType = answer.headers.get("content-type") ?? "";
        const text = answer.body.toString("utf8");
        const unshaped = (response[UNSHAPED_ANSWERS] ?? []) as { status: number; headers: Record<string, string>; body: string }[];
        const exactly = unshaped.find(
            (u) =>
                u.status === answer.status &&
                u.body === text &&
                Object.entries(u.headers).every(([name, value]) => answer.headers.get(name) === value),
        );
        if (exactly) return "";
        const media = response.content?.[mediaType(contentType)];
        if (!media) return `${status} of ${method} ${path} lists no Content-Type ${contentType} (body ${text.slice(0, 200)})`;
        const problems: string[] = [];
        for (const [name, header] of Object.entries<any>(response.headers ?? {})) {
            const value = answer.headers.get(name);
            if (value !== null) {
                const problem = check(header.schema, value);
                if (problem) problems.push(`header ${name}: ${problem}`);
            }
        }
        if (mediaType(contentType) === "application/json") {
            let body: any;
            try {
                body = JSON.parse(text);
            } catch {
                return `${status} of ${method} ${path}: the body is not JSON: ${text.slice(0, 200)}`;
            }
            const problem = check(media.schema, body);
            if (problem) problems.push(`${problem} in ${text.slice(0, 300)}`);
            if (body && typeof body === "object" && "error" in body) {
                const requestId = answer.headers.get("x-amzn-requestid");
                if (body.error?.requestId !== requestId)
                    problems.push(`requestId ${body.error?.requestId} is not the answer's ${requestId}`);
            } else if (status >= "400") {
                problems.push(`an error not in the API's shape that the document does not show as sent: ${text.slice(0, 200)}`);
            }
        } else if (answer.body.length === 0) {
            problems.push(`${status} of ${method} ${path}: an empty ${contentType} body`);
        }
        return problems.length === 0 ? "" : `${status} of ${method} ${path}: ${problems.join("; ")}`;
    };
}
