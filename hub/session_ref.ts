/**
 * A session named in a path or a tool call: its whole id or a unique prefix,
 * resolved once for every caller (the HTTP routes, the message API). No match
 * is a 404 naming the closest ids (at most 5, nearest first); an ambiguous
 * prefix is a 409 naming the matches.
 *
 * @module
 */

/** A found session, or the error answer. */
export type SessionRef =
  | { id: string }
  | { status: 404 | 409; body: { error: string; candidates: string[] } };

/** Edit distance (insert, delete, replace), for ranking the ids closest to a mistyped one. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Resolves `ref` among `ids`: the id itself wins over a longer id it is a prefix of. */
export function resolveSession(ref: string, ids: readonly string[]): SessionRef {
  if (ids.includes(ref)) return { id: ref };
  const matches = ref === "" ? [] : ids.filter((id) => id.startsWith(ref));
  if (matches.length === 1) return { id: matches[0]! };
  if (matches.length > 1) {
    return {
      status: 409,
      body: {
        error: `session id prefix ${JSON.stringify(ref)} is ambiguous: it matches ${matches.length} sessions`,
        candidates: [...matches].sort().slice(0, 20),
      },
    };
  }
  // A typed id is compared with the same length of each known id: "019b-cccx" is nearest "019b-cccc-…".
  const candidates = [...ids]
    .map((id) => ({ id, d: distance(ref, id.slice(0, Math.max(ref.length, 1))) }))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, 5)
    .map((x) => x.id);
  return { status: 404, body: { error: `unknown session ${JSON.stringify(ref)}`, candidates } };
}
