/**
 * Scrubbing of free text (prompts, messages, tool input and output) before
 * it is stored: secrets and personal data are replaced by markers
 * (`<TOKEN>`, `<SECRET>`, `<PRIVATE_KEY>`, `<CREDENTIALS>`, `<EMAIL>`,
 * `<CARD>`, `<PHONE>`, `<JWT>`, `<AWS_KEY>`, `<AWS_SECRET>`).
 *
 * What is kept on purpose: paths (`cwd`, `transcript_path`) are stored in
 * clear, only the home directory becoming `~`; so are ssh remotes
 * (`git@github.com:org/repo.git`), `user@host` in ssh commands, `@2x` assets,
 * `name@1.2.3` versions, UUIDs, git SHAs, Docker digests, semver, dates,
 * ports, URLs without credentials, and digit runs that are not phone- or
 * card-shaped (timestamps, ids). Values next to secret names are kept when
 * they are code (`password: string`, `token=getToken()`), references
 * (`$TOKEN`, `${{ secrets.X }}`) or placeholders (`<your-key>`, `****`).
 *
 * Scrubbing is built for hostile input: every rule runs in time linear in
 * the text, and at most {@linkcode MAX_TEXT} (plus a small margin, so that a
 * secret cut by the limit is still seen whole) characters of one string are
 * scanned; the rest is dropped and counted in a `…[N more characters]`
 * marker. A hook can therefore scrub any payload within its deadline.
 *
 * @module
 */

import { applyFormatRule, COMPANION_RULES, FORMAT_RULES } from "./_secret_rules.ts";
import { keepValue, secretName } from "./_secret_names.ts";
import {
  scrubEmails,
  scrubFlags,
  scrubKeyValues,
  scrubKubernetesSecrets,
  scrubPairs,
  scrubProse,
  scrubUrlCredentials,
  scrubXml,
} from "./_secret_scan.ts";

/** How much free text to keep: `scrubbed` (default), `full` (as is), `none` (dropped). */
export type TextMode = "scrubbed" | "full" | "none";

/** The maximum length of one stored string; longer ones are cut with a marker. */
export const MAX_TEXT = 16_384;

/**
 * Characters scrubbed at most in one JSON value (a payload field): strings
 * past it are dropped and counted, so a payload of a million strings costs
 * no more than a few full-size fields.
 */
export const MAX_JSON_TEXT = 262_144;

/** Characters scanned past {@linkcode MAX_TEXT}, so a secret straddling the cut is replaced whole. */
const SCAN_MARGIN = 1_024;

const rule = (name: string) => FORMAT_RULES.find((r) => r.name === name)!;

/** One stage of scrubbing: `apply` runs it; when `needs` says no, `apply` could not change the text. */
export interface ScrubStage {
  name: string;
  /**
   * A cheap test (a literal, a short run) the stage cannot change the text without. When it fails the
   * stage is skipped, so its pattern is never compiled: a hook process scrubs a few short strings, and
   * compiling every rule would cost it several milliseconds.
   */
  needs?: (s: string) => boolean;
  apply: (s: string) => string;
  /** `apply` behind `needs`: what scrubbing runs. */
  run: (s: string) => string;
}

const stage = (name: string, apply: (s: string) => string, needs?: (s: string) => boolean): ScrubStage => ({
  name,
  apply,
  run: needs ? (s) => (needs(s) ? apply(s) : s) : apply,
  ...(needs ? { needs } : {}),
});
const formatStage = (name: string, needs?: (s: string) => boolean) =>
  stage(name, (s) => applyFormatRule(rule(name), s), needs);
const lower = (s: string) => s.toLowerCase();
const has = (...literals: string[]) => (s: string) => literals.some((l) => s.includes(l));
/** Ten token characters in a row: every provider token, loose token and AWS key id has such a run. */
const TOKEN_RUN = /[\w-]{10}/;
const tokenRun = (s: string) => TOKEN_RUN.test(s);
/** Three digits in a row: every card and phone number the rules replace has them (or a `+`). */
const DIGITS = /\d{3}/;

/**
 * The stages of scrubbing, in order, each a pure function of the whole
 * text. Exported so tests can time each one on worst-case input, and check
 * that a stage whose `needs` fails leaves any text unchanged.
 */
export const SCRUB_STAGES: readonly ScrubStage[] = [
  formatStage("private-key-block", has("BEGIN")),
  formatStage("private-key-base64", has("LS0tLS1CRUdJTi")),
  formatStage("putty-key", has("PuTTY-User-Key-File-", "Private-Lines:")),
  stage("kubernetes-secret", scrubKubernetesSecrets, has("Secret")),
  stage("url-credentials", scrubUrlCredentials, has("://")),
  formatStage("jwt", has("eyJ")),
  formatStage("webhook", has("hook")),
  stage(
    "companions",
    (s) => COMPANION_RULES.reduce((t, c) => (c.when.test(t) ? applyFormatRule(c.rule, t) : t), s),
    // An AWS key id or a Twilio SID is a token run; otherwise only the marker or the word brings one in.
    (s) => tokenRun(s) || s.includes("<AWS_KEY>") || lower(s).includes("twilio"),
  ),
  formatStage("aws-key-id", tokenRun),
  formatStage("aws-secret", (s) => /access|session/.test(lower(s))),
  // Azure AD client secrets may be cut into short runs by `.` and `~`, but all of them hold "Q~".
  formatStage("provider-token", (s) => tokenRun(s) || s.includes("Q~")),
  formatStage("loose-token", tokenRun),
  formatStage("x-bearer", has("AAAAAAAAAAAAAAAAAAAA")),
  formatStage("authorization-header", (s) => lower(s).includes("authorization")),
  formatStage("bearer", has("Bearer", "Basic")),
  stage("key-value", scrubKeyValues, has("=", ":")),
  stage("flags", scrubFlags, has("-", "set", "add", "put", "create")),
  stage("xml", scrubXml, has("value=", "</")),
  stage("pairs", scrubPairs, has(",", "]", "echo", "printenv", '"type"')),
  stage("prose", scrubProse),
  formatStage("card", (s) => DIGITS.test(s)),
  stage("email", scrubEmails, has("@")),
  formatStage("phone", (s) => s.includes("+") || DIGITS.test(s)),
];

function scrubOnce(s: string): string {
  let out = s;
  for (const stage of SCRUB_STAGES) out = stage.run(out);
  return out;
}

/**
 * Scrubs secrets from `s` with no length limit (the scrubber applies
 * {@linkcode MAX_TEXT} first). A replacement can give a later neighbour a
 * new boundary (`4111…1111eyJ…` becomes `<CARD>eyJ…`), so the stages run
 * again until nothing changes (at most 4 passes; text with no secret costs
 * one): that makes scrubbing idempotent.
 */
export function scrubSecrets(s: string): string {
  let out = s;
  for (let pass = 0; pass < 4; pass++) {
    const next = scrubOnce(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

const MARKER = /…\[(\d{1,15}) more characters\]$/;

/** Cuts `s` to at most `max` characters, never inside a marker or a surrogate pair. */
function cutAt(s: string, max: number): number {
  let cut = max;
  const open = s.lastIndexOf("<", cut);
  if (open >= 0 && cut - open < 24 && /^<[A-Z_]*$/.test(s.slice(open, cut)) && s[cut] !== "<") cut = open;
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return cut;
}

/**
 * Applies `f` to at most MAX_TEXT + SCAN_MARGIN characters of `s` and cuts
 * the result to MAX_TEXT with a marker counting what was dropped. A marker
 * already at the end (from an earlier pass) is carried over, so capping is
 * idempotent.
 */
function capped(s: string, f: (x: string) => string): string {
  let body = s;
  let dropped = 0;
  // The marker test is a regular expression: compiled only for text that may end with a marker.
  const m = s.endsWith(" more characters]") ? MARKER.exec(s.slice(-40)) : null;
  if (m) {
    body = s.slice(0, s.length - m[0].length);
    dropped = Number(m[1]);
  }
  const scan = MAX_TEXT + SCAN_MARGIN;
  if (body.length > scan) {
    const cut = cutAt(body, scan);
    dropped += body.length - cut;
    body = body.slice(0, cut);
  }
  let out = f(body);
  // A cut can leave a new match behind ("password: --password" cut to "password: --pas"), so the
  // cut text is scrubbed again: what is stored is then a fixed point and a second pass keeps it.
  for (let k = 0; out.length > MAX_TEXT; k++) {
    const cut = cutAt(out, MAX_TEXT);
    dropped += out.length - cut;
    out = k < 3 ? f(out.slice(0, cut)) : out.slice(0, cut);
  }
  return dropped > 0 ? `${out}…[${dropped} more characters]` : out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A scrubber bound to a home directory. */
export interface Scrubber {
  mode: TextMode;
  /** Scrubs one string (returns `null` in `none` mode). */
  text(s: string): string | null;
  /** Scrubs a path: the home directory becomes `~` (kept in every mode; paths are otherwise stored in clear). */
  path(s: string): string;
  /**
   * Scrubs every string inside a JSON value (`none` → `null`); values under
   * secret keys become `<SECRET>`; past {@linkcode MAX_JSON_TEXT} characters, strings are dropped.
   */
  json(v: unknown): unknown;
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
/** Strings up to this long are remembered once scrubbed, up to {@link MEMO_ENTRIES} of them. */
const MEMO_MAX_CHARS = 512;
const MEMO_ENTRIES = 2048;

function buildScrubber(mode: TextMode, home: string | undefined): Scrubber {
  const homeRe = home && home.length > 1
    ? new RegExp(`${escapeRegExp(home.replace(/\/+$/, ""))}(?=$|[\\/\\s"'\`:;,)\\]}])`, "g")
    : undefined;
  const homeDir = home?.replace(/\/+$/, "");
  // Most text never names the home directory: the pattern is compiled only for text that does.
  const path = (s: string) => (homeRe && s.includes(homeDir!) ? s.replace(homeRe, "~") : s);
  // The home directory first: markers never contain it, so nothing scrubbed later can bring it back.
  // Scrubbing is a pure function of the text: a replay or a long session sends the same short strings
  // ("ok", a command) again and again, and each is scrubbed once.
  const seen = new Map<string, string>();
  const scrub = (s: string): string => {
    if (s.length > MEMO_MAX_CHARS) return capped(s, (x) => scrubSecrets(path(x)));
    let out = seen.get(s);
    if (out === undefined) {
      out = capped(s, (x) => scrubSecrets(path(x)));
      if (seen.size >= MEMO_ENTRIES) seen.clear();
      seen.set(s, out);
    }
    return out;
  };
  const text = (s: string): string | null =>
    mode === "none" ? null : mode === "full" ? capped(s, (x) => x) : scrub(s);
  const json = (value: unknown): unknown => {
    if (mode === "none") return null;
    let budget = MAX_JSON_TEXT;
    const walk = (v: unknown, key?: string): unknown => {
      if (typeof v === "string") {
        if (mode === "full") return text(v);
        if (budget <= 0) return v === "" ? v : `…[${v.length} more characters]`;
        budget -= Math.min(v.length, MAX_TEXT + SCAN_MARGIN) + 32;
        if (key !== undefined) {
          const strength = secretName(key);
          if (strength && !keepValue(v, key, true, strength)) return "<SECRET>";
        }
        return text(v);
      }
      if (Array.isArray(v)) return v.map((x) => walk(x));
      if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
      }
      return v;
    };
    return walk(value);
  };
  return { mode, text, path, json };
}

/** Reads `LIFELINE_TEXT`; anything unknown falls back to `scrubbed` (the safe choice). */
export function textModeFrom(value: string | undefined): TextMode {
  return value === "full" || value === "none" ? value : "scrubbed";
}
