/**
 * The rule that a key nobody reads is a mistake, not a silently ignored setting. A table of known keys
 * describes one level of settings; the component (components/argument-keys.ts holds its tables) and the
 * stack config (stacks/config.ts) both look keys up here, and each puts the mistake in its own words.
 * Only the tables' shape is typed here; the tables themselves are typed against the interfaces they describe.
 */

/**
 * What one known key holds: a plain value or list of values (`true`), a free-form map of strings whose
 * keys are the user's (`"map"`), a nested level of settings (its table), or a list of such levels.
 */
export type KeySpec = true | "map" | KeyTable | readonly [KeyTable];

/** The known keys of one level of settings, in the order a message lists them. */
export type KeyTable = { readonly [key: string]: KeySpec };

/**
 * The table `T` must have: every key of `T`, no other, each with the kind of spec its type calls for. A
 * table declared `satisfies KeysOf<T>` stops compiling when a key is added to or removed from `T` alone.
 */
export type KeysOf<T> = { readonly [K in keyof T]-?: SpecOf<NonNullable<T[K]>> };

type SpecOf<V> = [V] extends [readonly (infer E)[]]
    ? [E] extends [object]
        ? readonly [KeysOf<E>]
        : true
    : [V] extends [object]
      ? string extends keyof V
          ? "map"
          : KeysOf<V>
      : true;

/** One key a level does not know, with what it does know and, when one is close, the key probably meant. */
export interface UnknownKey {
    key: string;
    expected: string[];
    suggestion?: string;
}

/** Whether `key` is one of the table's own keys (never an inherited name such as "constructor"). */
export function isKnownKey(table: KeyTable, key: string): boolean {
    // Not Object.hasOwn: the plugin host compiles these sources against an older library than ES2022.
    return Object.prototype.hasOwnProperty.call(table, key);
}

/** The nested level a spec describes, if any: a table, or the table of each element of a list. */
export function nestedTable(spec: KeySpec): { table: KeyTable; list: boolean } | undefined {
    if (Array.isArray(spec)) return { table: spec[0], list: true };
    return typeof spec === "object" ? { table: spec as KeyTable, list: false } : undefined;
}

/**
 * A plain object (`{...}` or `Object.create(null)`): the only values whose keys are settings. An Output, a
 * Promise or any other class instance is a value, whatever its own fields are.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null) return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

/** The keys of `value` (one level) that `table` does not know, in the order they were given. */
export function unknownKeys(value: Record<string, unknown>, table: KeyTable): UnknownKey[] {
    const expected = Object.keys(table);
    return Object.keys(value)
        .filter((key) => !isKnownKey(table, key))
        .map((key) => {
            const suggestion = closestKey(key, expected);
            return suggestion === undefined ? { key, expected } : { key, expected, suggestion };
        });
}

/** An unknown key found at some depth: `path` is where it is, e.g. `endpoint.autoscaling.maxCapcity`. */
export interface UnknownKeyAt extends UnknownKey {
    path: string;
}

/**
 * Every unknown key of `value` at every depth below `path` ("" at the top), in the order the keys were
 * given, each level before the levels it holds. Levels listed in `namedElsewhere` have their unknown keys
 * reported by a check of their own (in its own words); their known keys are still walked. Values that are
 * not plain objects (or, for lists, arrays) are left to the checks of their values.
 */
export function unknownKeysDeep(
    value: unknown,
    table: KeyTable,
    path = "",
    namedElsewhere: ReadonlySet<KeyTable> = new Set(),
): UnknownKeyAt[] {
    if (!isPlainObject(value)) return [];
    const at = (key: string) => (path === "" ? key : `${path}.${key}`);
    const unknown = new Map(unknownKeys(value, table).map((u) => [u.key, u]));
    const found: UnknownKeyAt[] = [];
    for (const [key, child] of Object.entries(value)) {
        const here = unknown.get(key);
        if (here !== undefined) {
            if (!namedElsewhere.has(table)) found.push({ ...here, path: at(key) });
            continue;
        }
        const nested = nestedTable(table[key]);
        if (nested === undefined) continue;
        if (!nested.list) {
            found.push(...unknownKeysDeep(child, nested.table, at(key), namedElsewhere));
        } else if (Array.isArray(child)) {
            child.forEach((element, i) => found.push(...unknownKeysDeep(element, nested.table, `${at(key)}[${i}]`, namedElsewhere)));
        }
    }
    return found;
}

/**
 * The known key `word` was most probably meant to be: the closest by {@link editDistance}, ignoring case,
 * if it is within a third of the word's length (at least one edit); the first in table order on a tie.
 */
export function closestKey(word: string, known: readonly string[]): string | undefined {
    const limit = Math.max(1, Math.floor(word.length / 3));
    let best: { key: string; distance: number } | undefined;
    for (const key of known) {
        const distance = editDistance(word.toLowerCase(), key.toLowerCase());
        if (distance <= limit && (best === undefined || distance < best.distance)) {
            best = { key, distance };
        }
    }
    return best?.key;
}

/**
 * The number of single-character insertions, deletions, substitutions and swaps of two neighbours that
 * turn `a` into `b` (optimal string alignment): a typo such as "auht" for "auth" is one edit.
 */
export function editDistance(a: string, b: string): number {
    // rows[i][j]: the distance between the first i characters of a and the first j of b.
    const rows = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
            rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + substitution);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
            }
        }
    }
    return rows[a.length][b.length];
}
