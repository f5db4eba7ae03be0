/**
 * Hand-written scanners of the scrubber, for the shapes a regular expression
 * can only find by backtracking: e-mail addresses, credentials in URLs, and
 * values next to secret names (`KEY=value`, `"key": "value"`, `--flag value`,
 * Kubernetes Secret data). Each scanner looks at a bounded window around an
 * anchor character (`@`, `://`, `=`, `:`) and always moves forward past what
 * it examined, so its time is linear in the input.
 *
 * @module
 */

import { looksRandom } from "./_secret_rules.ts";
import { keepValue, type SecretName, secretName } from "./_secret_names.ts";

type Span = [start: number, end: number, replacement: string];

function splice(s: string, spans: Span[]): string {
  if (spans.length === 0) return s;
  let out = "";
  let at = 0;
  for (const [a, b, r] of spans) {
    out += s.slice(at, a) + r;
    at = b;
  }
  return out + s.slice(at);
}

const isLocal = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 ||
  c === 37 || c === 43 || c === 45;
const isDomain = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
const ASSET_TLDS = new Set(
  ("png jpg jpeg gif svg webp ico avif bmp tif tiff css scss js mjs cjs ts tsx jsx json lock map wasm txt " +
    "html htm xml yml yaml toml mdx vue pdf zip gz woff woff2 ttf otf mp4 mp3 wav").split(" "),
);
const SSH_COMMAND = /(?:^|[\s;&|(`'"])(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id|autossh|sshfs|ssh-keyscan)\s/;

/**
 * Replaces e-mail addresses with `<EMAIL>`; keeps ssh remotes (`git@host:org/repo`), URL
 * user names, `user@host` in ssh commands, `@2x` assets and `name@1.2.3` versions.
 */
export function scrubEmails(s: string): string {
  const spans: Span[] = [];
  let from = 0;
  let lineEnd = -1;
  let sshLine = false;
  for (;;) {
    const at = s.indexOf("@", from);
    if (at < 0) break;
    from = at + 1;
    let a = at;
    while (a > 0 && at - a < 64 && isLocal(s.charCodeAt(a - 1))) a--;
    if (a === at || (a > 0 && isLocal(s.charCodeAt(a - 1)))) continue;
    let b = at + 1;
    let dot = false;
    while (b < s.length && b - at <= 253 && isDomain(s.charCodeAt(b))) dot = s.charCodeAt(b++) === 46 || dot;
    if (!dot) continue;
    while (b > at + 1 && (s[b - 1] === "." || s[b - 1] === "-")) b--;
    from = Math.max(from, b);
    const local = s.slice(a, at);
    const domain = s.slice(at + 1, b);
    const labels = domain.split(".");
    const tld = labels[labels.length - 1]!.toLowerCase();
    if (labels.length < 2 || labels.some((l) => l === "") || !/^[a-z]{2,24}$/.test(tld)) continue;
    if (local.startsWith(".") || local.endsWith(".") || ASSET_TLDS.has(tld)) continue;
    if (/^\d+(?:\.\d+)?x$/i.test(labels[0]!) || /^\d+\.\d+/.test(domain)) continue; // logo@2x.png, pkg@1.2.3
    if (a >= 2 && s[a - 1] === "/" && s[a - 2] === "/") continue; // ssh://git@host: a user name
    if (s[b] === ":" && b + 1 < s.length && !/[\s\d]/.test(s[b + 1]!)) continue; // git@github.com:org/repo
    if (a > lineEnd) {
      // Each line is tested once: the scan moves forward, so this stays linear.
      const start = lineEnd < 0
        ? s.lastIndexOf("\n", a) + 1
        : Math.max(lineEnd + 1, s.lastIndexOf("\n", a) + 1);
      lineEnd = s.indexOf("\n", a);
      if (lineEnd < 0) lineEnd = s.length;
      sshLine = SSH_COMMAND.test(s.slice(start, lineEnd));
    }
    if (sshLine) continue;
    spans.push([a, b, "<EMAIL>"]);
  }
  return splice(s, spans);
}

const isScheme = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;
// Where an authority ends: / ? # " ' < > ` \ and whitespace.
const isAuthorityEnd = (c: number) =>
  c === 47 || c === 63 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96 || c === 92 ||
  c <= 32;

/** Replaces the user-info of URLs that carry a password (or a token as user name) with `<CREDENTIALS>`. */
export function scrubUrlCredentials(s: string): string {
  const spans: Span[] = [];
  let from = 0;
  for (;;) {
    const p = s.indexOf("://", from);
    if (p < 0) break;
    from = p + 3;
    let a = p;
    while (a > 0 && p - a < 32 && isScheme(s.charCodeAt(a - 1))) a--;
    if (a === p) continue;
    let b = p + 3;
    while (b < s.length && b - p < 512 && !isAuthorityEnd(s.charCodeAt(b))) b++;
    if (b === p + 3 || !/[A-Za-z]/.test(s[a]!)) continue;
    let at = b - 1;
    while (at >= p + 3 && s[at] !== "@") at--;
    if (at < p + 3) continue;
    const info = s.slice(p + 3, at);
    from = b;
    if (info === "" || info.startsWith("<")) continue;
    if (!info.includes(":") && !(info.length >= 16 && looksRandom(info))) continue;
    spans.push([p + 3, at, "<CREDENTIALS>"]);
  }
  return splice(s, spans);
}

const isName = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
const QUOTES = new Set(['"', "'", "`"]);
const VALUE_END = new Set([..." \t\r\n\"'`,;&|()[]{}<>\\"]);

/** Reads a value at `v`: quoted (to its closing quote or the line's end) or a bare run. */
function readValue(s: string, v: number): { start: number; end: number; next: number; quoted: boolean } {
  let q = s[v];
  let escaped = false;
  if (q === "\\" && QUOTES.has(s[v + 1] ?? "")) {
    escaped = true;
    q = s[v + 1];
    v++;
  }
  if (q !== undefined && QUOTES.has(q)) {
    const start = v + 1;
    let e = start;
    while (e < s.length && s[e] !== "\n" && s[e] !== "\r") {
      if (s[e] === q) {
        if (escaped ? s[e - 1] === "\\" : s[e - 1] !== "\\") break;
      }
      e++;
    }
    if (e < s.length && s[e] === q) {
      const end = escaped && s[e - 1] === "\\" ? e - 1 : e;
      return { start, end, next: e + 1, quoted: true };
    }
    v = start; // an unclosed quote: the quote closes a string the name is in ('Password: ')
  }
  let e = v;
  while (e < s.length && !VALUE_END.has(s[e]!)) e++;
  return { start: v, end: e, next: e, quoted: false };
}

const NAME_HINT = /pass|pw|secret|token|key|auth|cred|dsn|sig|cookie|otp|sess|sid|mnemonic|connection|pat/i;
const nameCache = new Map<string, SecretName>();

function cachedSecretName(name: string): SecretName {
  if (!NAME_HINT.test(name)) return false;
  let r = nameCache.get(name);
  if (r === undefined) {
    r = secretName(name);
    if (nameCache.size > 512) nameCache.clear();
    nameCache.set(name, r);
  }
  return r;
}

/**
 * Replaces values next to secret names with `<SECRET>`: `NAME=value`,
 * `export NAME="value"`, `"name": "value"`, `name: value`, `name = 'value'`,
 * `name := value`, `name => value`, `--name=value`, `?name=value&`.
 */
export function scrubKeyValues(s: string): string {
  const spans: Span[] = [];
  // The next '=' and ':' are found with indexOf (native even before the loop is optimised).
  let eq = s.indexOf("=");
  let colon = s.indexOf(":");
  for (let i = -1;;) {
    if (eq >= 0 && eq <= i) eq = s.indexOf("=", i + 1);
    if (colon >= 0 && colon <= i) colon = s.indexOf(":", i + 1);
    if (eq < 0 && colon < 0) break;
    i = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    const ch = s.charCodeAt(i);
    let sep = 1;
    const nx = s[i + 1];
    if (ch === 61) {
      if (nx === "=" || nx === "~" || "=!<>+-*/|&^%".includes(s[i - 1] ?? " ")) continue;
      if (nx === ">") sep = 2;
    } else {
      if (nx === ":" || s[i - 1] === ":" || (nx === "/" && s[i + 2] === "/")) continue;
      if (nx === "=") sep = 2;
    }
    let j = i;
    while (j > 0 && i - j < 8 && (s[j - 1] === " " || s[j - 1] === "\t")) j--;
    let quote = "";
    if (QUOTES.has(s[j - 1] ?? "")) {
      quote = s[j - 1]!;
      j--;
    }
    const nameEnd = j;
    while (j > 0 && nameEnd - j < 64 && isName(s.charCodeAt(j - 1))) j--;
    if (j === nameEnd || (j > 0 && isName(s.charCodeAt(j - 1)))) continue;
    if (quote !== "" && s[j - 1] !== quote) continue;
    if (s[j - 1] === "{" && s[j - 2] === "$") continue; // ${NAME:-default} in shell
    if (quote !== "" && ch === 58 && /\?\s*$/.test(s.slice(Math.max(0, j - 9), j - 1))) continue; // c ? "PASS" : "FAIL"
    const name = s.slice(j, nameEnd);
    const strength = cachedSecretName(name);
    if (!strength) continue;
    let v = i + sep;
    while (v < s.length && v - i < 12 && (s[v] === " " || s[v] === "\t")) v++;
    const val = readValue(s, v);
    const value = s.slice(val.start, val.end);
    const prose = !val.quoted && /^[A-Za-z]+$/.test(value) &&
      /^[ \t]+[A-Za-z]/.test(s.slice(val.end, val.end + 3));
    const call = !val.quoted && (s[val.end] === "(" || s[val.end] === "[");
    const env = ch === 61 && sep === 1 && nameEnd === i && v === i + 1 && /^[A-Z][A-Z0-9_]*$/.test(name);
    if (!prose && !call && !keepValue(value, name, val.quoted, strength, env)) {
      spans.push([val.start, val.end, "<SECRET>"]);
    }
    i = Math.max(i, val.next - 1);
  }
  return splice(s, spans);
}

const FLAG =
  /(?<![\w-])(--?[A-Za-z][A-Za-z0-9_-]{0,40})[ \t]{1,8}("[^"\r\n]*"?|'[^'\r\n]*'?|[^\s"'|;&<>()]+)/g;
// Commands whose short flag takes a password: -p (sshpass, `… login`, mongo), -a (redis-cli),
// -P (sqlcmd, bcp), -w (ldapsearch and friends).
const SHORT_PASSWORD_FLAGS: Record<string, RegExp> = {
  "-p": /(?:^|[\s;&|(`'"])(?:sshpass|mongo\w*|[\w-]+ login|login)\s/,
  "-a": /(?:^|[\s;&|(`'"])redis-cli\s/,
  "-P": /(?:^|[\s;&|(`'"])(?:sqlcmd|bcp)\s/,
  "-w": /(?:^|[\s;&|(`'"])ldap\w+\s/,
};
// Commands that take the password attached to -p: mysql -pSECRET, sshpass -pSECRET.
const MYSQL_COMMAND = /(?:^|[\s;&|(`'"])(?:mysql\w*|mariadb\w*|sshpass)\s/;

function flagValue(line: string, m: string, flag: string, raw: string): string {
  const quoted = raw[0] === '"' || raw[0] === "'";
  const closed = quoted && raw.length > 1 && raw.endsWith(raw[0]!);
  const value = quoted ? raw.slice(1, closed ? -1 : undefined) : raw;
  if (value.startsWith("-") || value.startsWith("<")) return m;
  let strength = flag.startsWith("--") ? cachedSecretName(flag) : false;
  if (SHORT_PASSWORD_FLAGS[flag]?.test(line)) strength = "strong";
  if ((flag === "-u" || flag === "--user") && /^[^:\s]+:\S/.test(value)) {
    const colon = m.indexOf(":", flag.length);
    return `${m.slice(0, colon + 1)}<SECRET>${closed ? raw[0] : ""}`;
  }
  if (!strength || /^[~.]?\//.test(value) || keepValue(value, flag, quoted, strength)) return m;
  const start = m.length - raw.length + (quoted ? 1 : 0);
  return `${m.slice(0, start)}<SECRET>${m.slice(start + value.length)}`;
}

const SET_COMMAND = /(?:^|[\s:-])(?:config|secrets?|env|vars?|variables?)[ :](?:set|add|put|create)\s/;

/** `npm config set //registry/:_authToken VALUE`, `gh secret set NAME VALUE`: a value after a secret name. */
function scrubSetCommand(line: string): string {
  if (!SET_COMMAND.test(line)) return line;
  const words = [...line.matchAll(/\S+/g)];
  const spans: Span[] = [];
  const verb = words.findIndex((w) => /^(?:set|add|put|create)$|:set$/.test(w[0]));
  for (let k = verb + 1; k + 1 < words.length; k++) {
    const name = words[k]![0].replace(/^["']|["']$/g, "");
    const key = name.slice(Math.max(name.lastIndexOf(":"), name.lastIndexOf("/")) + 1);
    const strength = cachedSecretName(key);
    if (!strength) continue;
    let v = k + 1;
    if (/^(?:--body|-b)$/.test(words[v]![0]) && v + 1 < words.length) v++;
    const w = words[v]![0];
    const at = words[v]!.index!;
    const quoted = w.length > 1 && (w[0] === '"' || w[0] === "'") && w.endsWith(w[0]!);
    const value = quoted ? w.slice(1, -1) : w;
    if (w.startsWith("-") || w.startsWith("<") || keepValue(value, key, quoted, strength)) continue;
    spans.push(quoted ? [at + 1, at + w.length - 1, "<SECRET>"] : [at, at + w.length, "<SECRET>"]);
    k = v;
  }
  return splice(line, spans);
}

function scrubFlagLine(line: string): string {
  if (!line.includes("-")) return scrubSetCommand(line);
  FLAG.lastIndex = 0;
  const out = scrubSetCommand(
    line.replace(FLAG, (m, flag: string, raw: string) => flagValue(line, m, flag, raw)),
  );
  if (!MYSQL_COMMAND.test(out)) return out;
  return out.replace(/(?<![\w-])-p([^\s"'<-][^\s"';&|]*)/g, "-p<SECRET>");
}

/**
 * Replaces values of secret flags: `--password x`, `--token "x"`, `curl -u user:x`,
 * `sshpass -p x`, `redis-cli -a x`, `mysql -px`. A command is looked for on the flag's own line.
 */
export function scrubFlags(s: string): string {
  return s.split("\n").map(scrubFlagLine).join("\n");
}

/** Replaces every value under `data:` / `stringData:` in a Kubernetes Secret manifest. */
export function scrubKubernetesSecrets(s: string): string {
  if (!s.includes("Secret") || !/kind:[ \t]{0,8}["']?Secret\b/.test(s)) return s;
  const lines = s.split("\n");
  let blockIndent = -1;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    const body = line.trimStart();
    if (body === "") continue;
    const indent = line.length - body.length;
    if (blockIndent >= 0 && indent > blockIndent) {
      const m = /^(["']?[\w.-]{1,253}["']?:[ \t]*)(\S.*)$/.exec(body);
      if (m && !m[2]!.startsWith("<") && m[2] !== "|" && m[2] !== ">") {
        lines[k] = `${line.slice(0, indent)}${m[1]}<SECRET>`;
      }
      continue;
    }
    blockIndent = /^(?:data|stringData):\s*$/.test(body) ? indent : -1;
  }
  return lines.join("\n");
}

// Case variants are spelled out: a case-insensitive pattern costs more to compile, and hooks pay that each run.
const PROSE = new RegExp(
  "(?<![A-Za-z0-9_-])(?:[Pp]ass(?:wd|word|phrase)|PASS(?:WD|WORD|PHRASE)|[Ss]ecret|SECRET|[Tt]oken|TOKEN|" +
    "(?:[Aa]pi|API)[ _-]?(?:[Kk]ey|KEY)|(?:[Aa]ccess|[Pp]rivate|ACCESS|PRIVATE)[ _-](?:[Kk]ey|KEY))[sS]?" +
    "(?:[ \\t]{1,4}(?:for|of|on|to)[ \\t]{1,4}(?:the[ \\t]{1,4})?[\\w.@-]{1,40})?" +
    "(?:[ \\t]{1,4}(?:(?:is|was|=|:)[ \\t]{1,4})?|[ \\t]{0,4}[:=][ \\t]{0,4})[\"'`]?([^\\s\"'`<>]{6,200})",
  "g",
);
const PROSE_HINT = /pass|secret|token|key/i;

/** Replaces secrets named in prose: "the password is hunter22", "token: 9f8e7d6c5b". */
export function scrubProse(s: string): string {
  if (!PROSE_HINT.test(s)) return s;
  return s.replace(
    PROSE,
    (m, value: string) => {
      const v = value.replace(/[.,;:!?)]+$/, "");
      if (/[()[\]{}$]/.test(v) || /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(v)) return m;
      return looksRandom(v, 6) ? m.slice(0, m.length - value.length) + "<SECRET>" + value.slice(v.length) : m;
    },
  );
}

const SETTING = /(?<![\w-])(?:key|name)=["']([\w.:-]{1,64})["'][ \t]{1,8}value=(["'])([^"'\r\n]{1,512})\2/g;

/** Replaces the text of XML elements and `key="…" value="…"` settings named like secrets. */
export function scrubXml(s: string): string {
  if (!s.includes("value=") && !s.includes("</")) return s;
  return s.replace(SETTING, (m, name: string, q: string, value: string) => {
    const strength = cachedSecretName(name);
    return strength && !keepValue(value, name, true, strength)
      ? m.slice(0, m.length - value.length - 1) + `<SECRET>${q}`
      : m;
  }).replace(/<([A-Za-z][\w.-]{0,40})>([^<\r\n]{1,512})<\/\1>/g, (m, name: string, value: string) => {
    const strength = secretName(name);
    return strength && !keepValue(value, name, true, strength) ? `<${name}><SECRET></${name}>` : m;
  });
}

// `define('DB_PASSWORD', 'x')`, `setenv("TOKEN", "x")`, `ENV['API_KEY'] = 'x'`.
const CALL_PAIR =
  /(["'])([A-Za-z_][\w.-]{0,63})\1(\]?[ \t]{0,4}[,=][ \t]{0,4})(["'])([^"'\r\n]{1,512})\4(?![ \t]*:)/g;
// `echo $DB_PASSWORD` (or printenv) and the value it printed on the next line.
const ECHOED =
  /(?:echo|printenv)[ \t]{1,4}["']?\$?\{?([A-Za-z_]\w{0,63})\}?["']?[ \t]*(\r?\n)([^\s<]{1,512})(?=\r?\n|$)/g;
// A form field: `{"type": "password", "value": "x"}`.
const FIELD =
  /("type"[ \t]{0,4}:[ \t]{0,4}"(?:password|secret)"[^{}]{0,200}?"value"[ \t]{0,4}:[ \t]{0,4}")([^"\r\n]{1,512})"/g;

/** Replaces secrets given to functions or printed by `echo`, and values of password form fields. */
export function scrubPairs(s: string): string {
  let out = s;
  if (out.includes(",") || out.includes("]")) {
    out = out.replace(CALL_PAIR, (m, _q, name: string, sep: string, q: string, value: string) => {
      if (sep.includes("=") && !sep.startsWith("]")) return m; // "a"="b" is handled by the key/value scanner
      if (/^[a-z]+$/.test(name)) return m; // scrypt('password', 'salt'): a value, not a name
      const strength = cachedSecretName(name);
      return strength && !keepValue(value, name, true, strength)
        ? m.slice(0, m.length - value.length - 1) + `<SECRET>${q}`
        : m;
    });
  }
  if (out.includes("echo") || out.includes("printenv")) {
    out = out.replace(ECHOED, (m, name: string, _nl: string, value: string) => {
      const strength = cachedSecretName(name);
      return strength && !keepValue(value, name, true, strength)
        ? m.slice(0, m.length - value.length) + "<SECRET>"
        : m;
    });
  }
  if (out.includes('"type"')) {
    out = out.replace(
      FIELD,
      (m, head: string, value: string) => (value.startsWith("<") ? m : `${head}<SECRET>"`),
    );
  }
  return out;
}
