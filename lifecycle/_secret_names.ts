/**
 * Which names hold secrets (`DB_PASSWORD`, `"apiKey"`, `--auth-token`) and
 * which values next to them are not secrets but code or placeholders
 * (`password: string`, `token=${TOKEN}`, `api_key=api_key`).
 *
 * @module
 */

import { looksRandom } from "./_secret_rules.ts";

// Substrings that make a name secret wherever they occur ("PGPASSWORD", "nextauthSecret").
const STRONG = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "privatekey",
  "accountkey",
  "sharedaccesskey",
  "credential",
  "authkey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  "clientkey",
  "connectionstring",
  "mnemonic",
  "sessionid",
];
// Whole segments that make a name secret ("db_pass", "SENTRY_DSN"), or only with a random value ("x-auth").
const SEGMENTS = new Set(["pass", "pwd", "pw", "dsn", "creds", "cred", "otp"]);
const WEAK_SEGMENTS = new Set(["pat", "auth", "sig", "cookie", "signature", "session", "sid", "bearer"]);
const KEY_QUALIFIERS = new Set([
  "api",
  "access",
  "secret",
  "private",
  "account",
  "master",
  "encryption",
  "signing",
  "app",
  "client",
  "license",
  "service",
  "shared",
  "auth",
  "subscription",
  "admin",
  "deploy",
  "consumer",
  "webhook",
  "session",
  "jwt",
  "hmac",
  "x",
  "storage",
  "write",
  "read",
  "ingest",
  "sdk",
  "server",
  "user",
]);
// A name ending in one of these describes a secret without holding one ("token_url", "max_tokens").
const NOT_VALUES = new Set([
  "id",
  "ids",
  "name",
  "names",
  "file",
  "files",
  "path",
  "paths",
  "dir",
  "url",
  "uri",
  "urls",
  "endpoint",
  "type",
  "types",
  "count",
  "limit",
  "max",
  "min",
  "length",
  "len",
  "size",
  "prefix",
  "suffix",
  "env",
  "var",
  "field",
  "header",
  "param",
  "policy",
  "mode",
  "format",
  "enabled",
  "required",
  "expires",
  "expiry",
  "expiration",
  "ttl",
  "timeout",
  "lifetime",
  "label",
  "hint",
  "prompt",
  "placeholder",
  "regex",
  "pattern",
  "hash",
  "arn",
  "ref",
  "version",
  "location",
  "provider",
  "store",
  "manager",
  "schema",
  "rule",
  "rules",
  "error",
  "message",
  "reset",
  "usage",
  "tokens",
  "budget",
  "public",
  "helper",
  "username",
  "user",
  "email",
  "login",
  "host",
  "hostname",
  "server",
  "region",
  "scope",
  "scopes",
  "audience",
  "issuer",
  "algorithm",
  "alg",
  "method",
  "source",
  "target",
  "backend",
  "description",
  "title",
]);
const NOT_SECRET_SEGMENTS = new Set([
  "tokens",
  "tokenizer",
  "tokenize",
  "tokenized",
  "tokenization",
  "tokenizers",
  "secretary",
  "public",
  "publishable",
  "pub",
]);

/** How strongly a name implies its value is secret. */
export type SecretName = "strong" | "weak" | false;

function segments(name: string): string[] {
  return name.replace(/^[-$]+/, "").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[^a-z0-9]+/)
    .filter((x) => x !== "");
}

/** Classifies a key, variable or flag name: `strong`, `weak` (only random-looking values) or not secret. */
export function secretName(name: string): SecretName {
  if (name.length > 64) return false;
  const segs = segments(name);
  if (segs.length === 0) return false;
  const last = segs[segs.length - 1]!;
  if (NOT_VALUES.has(last) && !(last === "id" && segs[segs.length - 2] === "secret")) return false;
  if (segs.some((s) => NOT_SECRET_SEGMENTS.has(s))) return false;
  const compact = segs.join("");
  if (STRONG.some((w) => compact.includes(w))) return "strong";
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s === "key" || s === "keys") {
      if (i > 0 && KEY_QUALIFIERS.has(segs[i - 1]!)) return "strong";
      if (segs[0] === "x" && i === segs.length - 1) return "strong"; // x-functions-key, x-goog-api-key
      if (segs.length === 1) return "weak";
    }
    if (SEGMENTS.has(s)) return "strong";
  }
  return segs.some((s) => WEAK_SEGMENTS.has(s)) ? "weak" : false;
}

const KEYWORDS = new Set([
  "null",
  "none",
  "nil",
  "undefined",
  "true",
  "false",
  "yes",
  "no",
  "on",
  "off",
  "required",
  "optional",
  "string",
  "str",
  "bytes",
  "number",
  "int",
  "integer",
  "bool",
  "boolean",
  "any",
  "object",
  "text",
  "redacted",
  "hidden",
  "masked",
  "secret",
  "password",
  "token",
  "env",
  "default",
  "auto",
  "inherit",
  "self",
  "this",
  "new",
  "await",
  "function",
  "lambda",
  "return",
  "if",
  "os",
  "process",
  "unknown",
  "never",
  "void",
  "symbol",
  "bigint",
]);

const SENTENCE =
  /^[A-Z][a-z]*\s+[A-Za-z]|[.?!:]$|\b(?:[Yy]our|[Ee]nter|[Mm]ust|[Pp]lease|[Tt]he|is|are|be|not|[Ii]nvalid)\b/;

/**
 * Whether `value` next to a secret name is code, a reference or a
 * placeholder rather than a secret, so it is kept. `env`: the value of a
 * `NAME=value` assignment, never code, so only references are kept.
 */
export function keepValue(
  value: string,
  name: string,
  quoted: boolean,
  strength: SecretName,
  env = false,
): boolean {
  if (value === "" || value.length > 4096) return value === "";
  const c = value[0]!;
  if ((c === "/" || c === "~") && /^(?:OLD)?PWD$/.test(name)) return true; // $PWD is the working directory
  if (c === "<" || c === "$" || c === "%" || c === "{" || c === "*" || c === "[") return true;
  if (/^(.)\1*$/.test(value) || /^\.\.\.|…/.test(value)) return true;
  const lower = value.toLowerCase();
  if (KEYWORDS.has(lower)) return true;
  const plain = (x: string) => x.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (plain(value) === plain(name)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return true; // URLs: credentials in them have their own rule
  if (/^(?:x{3,}|your[_-]|my[_-]|example$|placeholder|changeme$|todo$|tbd$)/i.test(value)) return true;
  if (!quoted && !env) {
    if (value.includes("(")) return true;
    if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) && !/\d/.test(value)) return true;
    if (/^[A-Za-z_]\w*$/.test(value) && !/\d/.test(value) && /_|^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/.test(value)) {
      return true; // snake_case variables and PascalCase types
    }
    const words = value.match(/[a-z]{3,}/g) ?? [];
    if (
      /^[A-Z][A-Za-z0-9]*[A-Za-z]$/.test(value) && words.length >= 2 &&
      words.join("").length >= value.length * 0.6
    ) {
      return true; // types with digits: Http2Session, OAuth2Client
    }
  } else if (
    /\s/.test(value) && !/phrase|mnemonic|seed/i.test(name) && SENTENCE.test(value)
  ) {
    return true; // sentences: labels and messages about secrets ("Enter your password")
  }
  if (/^\d{1,6}$/.test(value) && !/pass|pwd|pin|otp|code/i.test(name)) return true;
  if (strength === "weak") return !looksRandom(value, 12);
  return false;
}
