/**
 * A unified diff of two texts (what `--dry-run` prints). Line-based, with
 * three lines of context, computed by a longest-common-subsequence table
 * (config files are small).
 *
 * @module
 */

/**
 * The unified diff of `a` → `b`, or `""` when they are equal.
 *
 * @example
 * ```ts
 * import { unifiedDiff } from "./diff.ts";
 * const d = unifiedDiff("x\ny\n", "x\nz\n", "a/f", "b/f");
 * if (!d.includes("-y\n+z")) throw new Error(d);
 * ```
 */
export function unifiedDiff(a: string, b: string, fromName: string, toName: string): string {
  if (a === b) return "";
  const A = a === "" ? [] : a.replace(/\n$/, "").split("\n");
  const B = b === "" ? [] : b.replace(/\n$/, "").split("\n");
  const n = A.length, m = B.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = A[i] === B[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  type Op = { k: " " | "-" | "+"; line: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && A[i] === B[j]) ops.push({ k: " ", line: A[i]!, ai: i++, bi: j++ });
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ k: "-", line: A[i]!, ai: i++, bi: j });
    } else ops.push({ k: "+", line: B[j]!, ai: i, bi: j++ });
  }
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  const C = 3;
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.k === " ") {
      k++;
      continue;
    }
    let start = Math.max(0, k - C);
    let end = k;
    while (end < ops.length) {
      if (ops[end]!.k !== " ") {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < ops.length && ops[end + run]!.k === " ") run++;
      if (end + run >= ops.length || run > 2 * C) {
        end = Math.min(ops.length, end + C);
        break;
      }
      end += run;
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk[0]!.ai, bStart = hunk[0]!.bi;
    const aLen = hunk.filter((o) => o.k !== "+").length, bLen = hunk.filter((o) => o.k !== "-").length;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.k}${o.line}`);
    k = end;
    start = end;
  }
  if (out.length === 2) out.push("@@ only the final newline differs @@");
  return out.join("\n") + "\n";
}
