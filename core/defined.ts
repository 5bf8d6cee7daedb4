/**
 * A default merged with what was given, where a field given as `undefined` (as a stack config or another
 * language may send it) is not a setting and keeps its default. The component's settings, its checks and
 * the stack config all merge this way, through these two functions.
 */

/** The fields of `obj` that are set; none of an absent object. */
export function definedFields<T extends object>(obj: T | undefined): Partial<T> {
    return obj ? (Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>) : {};
}

/** `{ ...defaults, ...given }`, except that a field given as `undefined` keeps its default. */
export function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
    return { ...defaults, ...definedFields(given) };
}
