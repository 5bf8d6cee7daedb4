/**
 * Content negotiation done here, not in the container: SageMaker is asked for exactly one type, the one
 * that will be answered, so that API Gateway's base64 decision and the container's choice agree.
 * API Gateway decodes a base64 answer into bytes only when the FIRST type in Accept is a binary media
 * type ("Content type conversions in API Gateway"); a binary answer chosen for any other Accept would
 * reach the caller as base64 text. The choice otherwise follows the container's (http/negotiation.py choose_accept).
 */
import { DEFAULT_CONTENT_TYPE, firstAcceptType, isBinaryMediaType, mediaType, RESPONSE_CONTENT_TYPES } from "../contract";
import { HttpError } from "./errors";

interface AcceptItem {
    type: string;
    q: number;
}

function parseAccept(header: string): AcceptItem[] {
    return header.split(",").map((item) => {
        const [type, ...params] = item.split(";");
        let q = 1;
        for (const param of params) {
            const [name, value] = param.split("=");
            if (name.trim().toLowerCase() === "q") {
                const parsed = Number(value);
                q = Number.isFinite(parsed) ? parsed : 0;
            }
        }
        return { type: mediaType(type), q };
    });
}

/** The supported type an Accept item stands for, as the container reads it. */
function supportedFor(type: string): string | undefined {
    if (type === "*/*" || type === "*") return DEFAULT_CONTENT_TYPE;
    if (type.endsWith("/*")) {
        const prefix = type.slice(0, -1);
        return DEFAULT_CONTENT_TYPE.startsWith(prefix) ? DEFAULT_CONTENT_TYPE : RESPONSE_CONTENT_TYPES.find((t) => t.startsWith(prefix));
    }
    return (RESPONSE_CONTENT_TYPES as readonly string[]).includes(type) ? type : undefined;
}

/**
 * The one type to ask SageMaker for. A type only a model's own `output_fn` knows is passed on when no
 * supported type is acceptable. Throws 406 when nothing acceptable can reach the caller intact.
 */
export function chooseAccept(header: string | undefined): string {
    const raw = (header ?? "").trim();
    if (raw === "" || raw === "*/*") return DEFAULT_CONTENT_TYPE;
    const binaryAllowed = isBinaryMediaType(firstAcceptType(raw));
    let best: AcceptItem | undefined;
    let bestOther: AcceptItem | undefined;
    let binaryRefused: string | undefined;
    for (const item of parseAccept(raw)) {
        if (item.q <= 0 || item.type === "") continue;
        const supported = supportedFor(item.type);
        if (supported === undefined) {
            if (!item.type.includes("*") && (bestOther === undefined || item.q > bestOther.q)) bestOther = item;
            continue;
        }
        if (!binaryAllowed && isBinaryMediaType(supported)) {
            binaryRefused = supported;
            continue;
        }
        if (best === undefined || item.q > best.q) best = { type: supported, q: item.q };
    }
    if (best) return best.type;
    if (bestOther && !isBinaryMediaType(bestOther.type)) return bestOther.type;
    if (binaryRefused) {
        throw new HttpError(
            406,
            "NotAcceptable",
            `${binaryRefused} answers reach the caller as bytes only when ${binaryRefused} is the first type in Accept; put it first, or accept ${DEFAULT_CONTENT_TYPE}.`,
        );
    }
    throw new HttpError(406, "NotAcceptable", `Cannot answer in ${raw}; accept one of ${RESPONSE_CONTENT_TYPES.join(", ")}.`);
}
