/**
 * One JSON line per request, for CloudWatch Logs Insights and the local twin's console.
 * Sizes only: a payload may hold personal data and never goes to the log.
 */

export interface RequestLog {
    requestId: string;
    method: string;
    /** The route template matched (`/models/{name}/predict`), or null for an unknown path. */
    route: string | null;
    targetModel: string | null;
    /** The production variant the caller pinned, when it did. */
    targetVariant?: string;
    /** The production variant that answered, when SageMaker named it (CloudWatch's `VariantName`). */
    invokedVariant?: string;
    status: number;
    latencyMs: number;
    /** Time spent inside InvokeEndpoint, retries included; null when SageMaker was not called. */
    invokeMs: number | null;
    requestBytes: number;
    responseBytes: number;
    errorCode?: string;
    /** The SDK error name behind errorCode (ModelError, ThrottlingException, ...). */
    upstreamError?: string;
    /** ModelError only: the container's own status. */
    modelStatus?: number;
    /** Our own diagnosis of a deployment mistake (e.g. ENDPOINT_NAME unset); never request data. */
    detail?: string;
}

export function logRequest(entry: RequestLog): void {
    console.log(JSON.stringify(entry));
}

/** Milliseconds with 0.01 ms resolution: enough to see the handler's own overhead. */
export function elapsedMs(startNs: bigint): number {
    return Math.round(Number(process.hrtime.bigint() - startNs) / 10_000) / 100;
}
