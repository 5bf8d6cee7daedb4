/**
 * @internal Helpers of the checks every folder makes: a check reports an impossible setting through `fail`,
 * with a message that names the argument, before anything is created.
 */

/** @internal Reports one impossible setting; the message names the argument. */
export type Fail = (message: string) => never;

/** @internal An integer from `min` to `max`, both included. */
export function integerIn(fail: Fail, argument: string, value: number, min: number, max: number): void {
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
        fail(`${argument} must be an integer from ${min} to ${max}; got ${value}`);
    }
}

/** @internal A positive integer, when set. */
export function positiveInteger(fail: Fail, argument: string, value: number | undefined): void {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
        fail(`${argument} must be a positive integer; got ${value}`);
    }
}

/** @internal A number greater than 0, when set. */
export function positive(fail: Fail, argument: string, value: number | undefined): void {
    if (value !== undefined && !(value > 0)) {
        fail(`${argument} must be greater than 0; got ${value}`);
    }
}
