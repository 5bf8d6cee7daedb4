/** The request helpers the twin's gateway and runtime share (local/http.ts). */
import { strict as assert } from "assert";
import type * as http from "http";
import { Readable } from "stream";
import { header, readBody } from "../../local/http";

function request(chunks: string[], headers: http.IncomingHttpHeaders = {}): http.IncomingMessage {
    return Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { headers }) as unknown as http.IncomingMessage;
}

describe("local HTTP helpers", () => {
    it("readBody keeps a body within the limit, whole", async () => {
        assert.deepEqual(await readBody(request(["ab", "cd"]), 4), { body: Buffer.from("abcd"), size: 4 });
    });

    it("readBody reads an over-limit body to the end but keeps none of it, and says how much was sent", async () => {
        const req = request(["abc", "def"]);
        assert.deepEqual(await readBody(req, 5), { body: undefined, size: 6 });
        assert.equal(req.readableEnded, true);
    });

    it("header joins a repeated header's values with a comma and a space, in the order sent", () => {
        const req = request([], { "set-cookie": ["a=1", "b=2"], accept: "text/csv" });
        assert.equal(header(req, "set-cookie"), "a=1, b=2");
        assert.equal(header(req, "accept"), "text/csv");
        assert.equal(header(req, "origin"), undefined);
    });
});
