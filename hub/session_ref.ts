/**
 * A session named in a path: its whole id or a unique prefix. No match is a
 * 404 naming the closest ids; an ambiguous prefix is a 409 naming the
 * matches.
 *
 * @module
 */

/** A found session, or the error answer. */
export type SessionRef =
  | { id: string }
  | { status: 404 | 409; body: { error: string; candidates: string[] } };

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Resolves `ref` among `ids`. */
export function resolveSession(ref: string, ids: readonly string[]): SessionRef {
  if (ids.includes(ref)) return { id: ref };
  const matches = ref === "" ? [] : ids.filter((id) => id.startsWith(ref));
  if (matches.length === 1) return { id: matches[0]! };
  if (matches.length > 1) {
    return {
      status: 409,
      body: { error: `session prefix ${JSON.stringify(ref)} is ambiguous`, candidates: matches.slice(0, 20) },
    };
  }
  const closest = [...ids].sort((a, b) => commonPrefix(b, ref) - commonPrefix(a, ref)).slice(0, 5);
  return { status: 404, body: { error: `unknown session ${JSON.stringify(ref)}`, candidates: closest } };
}
