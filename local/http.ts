/**
 * What the twin's HTTP servers (the gateway and the SageMaker runtime) read from a request alike: its body,
 * read to the end within a limit, and its headers by name.
 */
import type * as http from "http";

/**
 * Reads the whole request, so that an early answer never resets a client still sending, and keeps at most
 * `limit` bytes of it. `body` is undefined when more than `limit` bytes were sent, and `size` is how many
 * were: each caller answers an over-limit body as the service it stands for does.
 */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer | undefined; size: number }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size <= limit) chunks.push(chunk as Buffer);
    }
    return { body: size <= limit ? Buffer.concat(chunks) : undefined, size };
}

/**
 * A request header's value, or undefined. A header sent more than once has its values joined with ", " in
 * the order sent, as Node joins them in `message.headers` (Node.js docs, "message.headers": duplicates of
 * most headers are joined with ", "); `name` is lower case, as Node keys them.
 */
export function header(req: http.IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
}
