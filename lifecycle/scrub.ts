/**
 * Scrubbing of free text (prompts, messages, tool input and output, paths)
 * before it is stored: secrets and personal data are replaced by markers.
 * Digit runs are replaced only when phone-shaped, so timestamps and ids
 * survive.
 *
 * @module
 */

/** How much free text to keep: `scrubbed` (default), `full` (as is), `none` (dropped). */
export type TextMode = "scrubbed" | "full" | "none";

const RULES: readonly [RegExp, string][] = [
  [
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    "<PRIVATE_KEY>",
  ],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s\/:@]+:[^\s\/@]+@/gi, "$1<CREDENTIALS>@"],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, "<JWT>"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+\/=-]{8,}/g, "$1 <TOKEN>"],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, "<TOKEN>"],
  [/\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}/g, "<TOKEN>"],
  [/\b(?:sk|pk|ghp|ghs|gho|ghu|ghr|ntk|aa|xox[abpr])[_-][A-Za-z0-9_-]{16,}/g, "<TOKEN>"],
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g, "<AWS_KEY>"],
  [/\b(aws_secret_access_key|aws_session_token)(\s*[=:]\s*["']?)[A-Za-z0-9\/+=]{20,}/gi, "$1$2<AWS_SECRET>"],
  [/\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, "<EMAIL>"],
  // Phone-shaped: +CC and 8–15 digits, or groups like (555) 123-4567 / 555-123-4567 / 555 123 4567.
  [/(?<![\w+])\+\d{1,3}[ .-]?(?:\(?\d{1,4}\)?[ .-]?){2,4}\d{2,4}(?![\w])/g, "<PHONE>"],
  [/(?<![\w.:-])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?![\w.:-])/g, "<PHONE>"],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A scrubber bound to a home directory. */
export interface Scrubber {
  mode: TextMode;
  /** Scrubs one string (returns `null` in `none` mode). */
  text(s: string): string | null;
  /** Scrubs a path: the home directory becomes `~` (kept in every mode). */
  path(s: string): string;
  /** Scrubs every string inside a JSON value (`none` → `null`). */
  json(v: unknown): unknown;
}

/** The maximum length of one stored string; longer ones are cut with a marker. */
export const MAX_TEXT = 16_384;

function truncate(s: string, max = MAX_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max)}…[${s.length - max} more characters]`;
}

/**
 * Makes a scrubber.
 *
 * @example
 * ```ts
 * import { makeScrubber } from "./scrub.ts";
 * const s = makeScrubber("scrubbed", "/home/ann");
 * const out = s.text("mail ann@example.com from /home/ann/x with sk-proj-abcdefghijklmnop1234 at 1795239810800");
 * if (out !== "mail <EMAIL> from ~/x with <TOKEN> at 1795239810800") throw new Error(out!);
 * ```
 */
export function makeScrubber(mode: TextMode, home: string | undefined): Scrubber {
  const cacheKey = `${mode}\u0000${home ?? ""}`;
  const cached = CACHE.get(cacheKey);
  if (cached) return cached;
  const made = buildScrubber(mode, home);
  CACHE.set(cacheKey, made);
  return made;
}

const CACHE = new Map<string, Scrubber>();

function buildScrubber(mode: TextMode, home: string | undefined): Scrubber {
  const homeRe = home && home.length > 1
    ? new RegExp(`${escapeRegExp(home.replace(/\/+$/, ""))}(?=$|[\\/\\s"'\`:;,)\\]}])`, "g")
    : undefined;
  const path = (s: string) => (homeRe ? s.replace(homeRe, "~") : s);
  const scrub = (s: string): string => {
    let out = s;
    for (const [re, rep] of RULES) out = out.replace(re, rep);
    return truncate(path(out));
  };
  const text = (s: string): string | null =>
    mode === "none" ? null : mode === "full" ? truncate(s) : scrub(s);
  const json = (v: unknown): unknown => {
    if (mode === "none") return null;
    if (typeof v === "string") return text(v);
    if (Array.isArray(v)) return v.map(json);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, json(x)]));
    }
    return v;
  };
  return { mode, text, path, json };
}

/** Reads `LIFELINE_TEXT`; anything unknown falls back to `scrubbed` (the safe choice). */
export function textModeFrom(value: string | undefined): TextMode {
  return value === "full" || value === "none" ? value : "scrubbed";
}
