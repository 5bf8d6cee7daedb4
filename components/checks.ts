/**
 * @internal Helpers of the checks every folder makes: a check reports each impossible setting through
 * `report`, with the argument's path and the reason, and carries on, so that one run names every mistake
 * before anything is created. A check whose input another check already refused skips quietly.
 */

/**
 * @internal Reports one impossible setting: the path of the argument (`endpoint.autoscaling.maxCapacity`,
 * `models[1].path`) and the reason, which reads on from it ("must be a positive integer; got 0").
 */
export type Report = (path: string, reason: string) => void;

/** @internal An integer from `min` to `max`, both included; reports it and answers false when it is not. */
export function integerIn(report: Report, path: string, value: number, min: number, max: number): boolean {
    const ok = Number.isInteger(value) && value >= min && value <= max;
    if (!ok) report(path, `must be an integer from ${min} to ${max}; got ${value}`);
    return ok;
}

/** @internal A positive integer, when set. */
export function positiveInteger(report: Report, path: string, value: number | undefined): void {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
        report(path, `must be a positive integer; got ${value}`);
    }
}

/** @internal A number greater than 0, when set. */
export function positive(report: Report, path: string, value: number | undefined): void {
    if (value !== undefined && !(value > 0)) {
        report(path, `must be greater than 0; got ${value}`);
    }
}
