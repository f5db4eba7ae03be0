/**
 * Format rules of the scrubber: secrets recognised by their shape alone
 * (provider prefixes, JWTs, key blocks, card numbers, phones).
 *
 * Every pattern here is written to run in time linear in the input under
 * V8's backtracking engine: each quantifier is either bounded or is a single
 * character class that ends the pattern or is followed by a character it
 * cannot match, and optional closers (`"?`, `|$`) are used where a failing
 * search could otherwise rescan the rest of a line from every start. The
 * patterns are compiled on first use, so loading a hook costs nothing.
 *
 * @module
 */

/** One format rule: a pattern, what replaces a match, and an optional check of the match. */
export interface FormatRule {
  name: string;
  source: string;
  flags?: string;
  replace: string | ((m: string, ...groups: string[]) => string);
}

const B = "(?<![A-Za-z0-9])"; // a token starts where a word does not continue
const D = "[A-Za-z0-9_-]";
const A = "[A-Za-z0-9]";

/** Provider tokens whose prefix alone is specific enough (no randomness check). */
const PREFIXED: readonly string[] = [
  `sk-ant-${D}{20,}`, // Anthropic
  `sk-(?:proj|svcacct|admin|None|or-v1)-${D}{20,}`, // OpenAI project/service keys, OpenRouter
  `sk-${A}{20,}(?![_-])`, // legacy OpenAI, DeepSeek and many sk- services
  `(?:sk|rk|pk)_(?:live|test)_${A}{10,}`, // Stripe
  `whsec_${A}{20,}`,
  `gh[pousr]_${A}{16,}`, // GitHub
  `github_pat_[A-Za-z0-9_]{20,}`,
  `gl(?:pat|dt|rt|ptt|soat|cbt|imt|oas|ffct|ft|agent|wt)-${D}{20,}`, // GitLab
  `GR1348941${D}{20,}`,
  `xox[abposre]-[A-Za-z0-9-]{10,}`, // Slack
  `xapp-\\d-[A-Za-z0-9-]{10,}`,
  `AIza${D}{35}`, // Google
  `GOCSPX-${D}{20,}`,
  `ya29\\.${D}{20,}`,
  `1//0${D}{30,}`,
  `hf_${A}{30,}`, // Hugging Face
  `api_org_${A}{30,}`,
  `npm_${A}{36}`,
  `pypi-${D}{40,}`,
  `dckr_(?:pat|oat)_${D}{20,}`,
  `(?:SK|AC)[0-9a-f]{32}(?![0-9a-fA-F])`, // Twilio
  `SG\\.${D}{16,}\\.${D}{16,}`, // SendGrid
  `key-[0-9a-f]{32}`, // Mailgun
  `[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}(?![0-9a-f-])`,
  `[0-9a-f]{32}-us\\d{1,2}(?!\\d)`, // Mailchimp
  `do[por]_v1_[a-f0-9]{64}`, // DigitalOcean
  `dapi[a-f0-9]{32}(?:-\\d)?`, // Databricks
  `AT[AC]TT${D}{40,}(?:=[A-F0-9]{8})?`, // Atlassian
  `shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}`, // Shopify
  `HRKU-${D}{20,}`, // Heroku
  `vc[pkiar]_${D}{20,}`, // Vercel
  `sbp_(?:v0_)?[a-f0-9]{40}`, // Supabase
  `sb_(?:secret|publishable)_${D}{16,}`,
  `lin_(?:api|oauth)_${A}{30,}`, // Linear
  `ntn_${A}{30,}`, // Notion
  `secret_${A}{43}`,
  `PMAK-[a-f0-9]{24}-[a-f0-9]{34}`, // Postman
  `sntr[ysu]s?_${D}{30,}`, // Sentry
  `glsa_${A}{32}_[A-Fa-f0-9]{8}`, // Grafana
  `glc_${D}{32,}`,
  `NRAK-[A-Z0-9]{27}`, // New Relic
  `dp\\.(?:st|pt|ct|sa|scim|audit)\\.${D}{20,}`, // Doppler
  `pul-[a-f0-9]{40}`, // Pulumi
  `${A}{14}\\.atlasv1\\.${D}{60,}`, // Terraform Cloud
  `sq0(?:atp|csp)-${D}{22,}`, // Square
  `EAA[A-Za-z0-9]{60,}`, // Meta, Square
  `pat${A}{14}\\.[a-f0-9]{64}`, // Airtable
  `figd_${D}{30,}`, // Figma
  `nf[pc]_${A}{30,}`, // Netlify
  `fo1_${D}{30,}`, // Fly.io
  `rnd_${A}{20,}`, // Render
  `gsk_${A}{40,}`, // Groq
  `r8_${A}{30,}`, // Replicate
  `xai-${A}{40,}`,
  `pplx-${A}{40,}`,
  `fw_${A}{20,}`, // Fireworks
  `lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}`, // LangSmith
  `tvly-(?:dev-)?${A}{20,}`, // Tavily
  `pcsk_${D}{30,}`, // Pinecone
  `CFPAT-${D}{30,}`, // Contentful
  `sl\\.${D}{100,}`, // Dropbox
  `hv[sbr]\\.${D}{20,}`, // Vault
  `AGE-SECRET-KEY-1[0-9A-Z]{50,}`, // age
  `ico-${A}{30,}`, // Infracost
  `aio_${A}{28}`, // Adafruit
  `pnu_${A}{36}`, // Prefect
  `pscale_(?:tkn|pw|oauth)_${D}{30,}`, // PlanetScale
  `rubygems_[a-f0-9]{48}`,
  `oy2[a-z0-9]{43}`, // NuGet
  `bkua_[a-f0-9]{40}`, // Buildkite
  `sq[upa]_[a-f0-9]{40}`, // SonarQube
  `AKCp${A}{60,}`, // JFrog
  `LTAI${A}{12,24}`, // Alibaba Cloud
  `AKID${A}{32}`, // Tencent Cloud
  `rzp_(?:live|test)_${A}{14,}`, // Razorpay
  `FLWSECK(?:_TEST)?-[a-f0-9]{32}-X`, // Flutterwave
  `napi_${A}{40,}`, // Neon
  `shippo_(?:live|test)_[a-f0-9]{40}`,
  `xkeysib-[a-f0-9]{64}-${A}{16}`, // Brevo
  `ops_${D}{40,}`, // 1Password service accounts
  `sgp_${D}{30,}`, // Sourcegraph
  `[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}`, // Azure AD client secrets
  `[MNO]${D}{23,27}\\.${D}{6,7}\\.${D}{27,40}`, // Discord bot tokens
  `mfa\\.${D}{80,}`,
  `oauth:[a-z0-9]{30}(?![a-z0-9])`, // Twitch
  `\\d{8,10}:AA${D}{33}`, // Telegram bots
  `AAAA${D}{7}:APA91b${D}{100,}`, // Firebase Cloud Messaging server keys
  `ATBB${A}{28,}`, // Bitbucket app passwords
  `NRI[IQ]-${D}{32}`, // New Relic
  `[ps]k\\.eyJ${D}{20,}\\.${D}{20,}`, // Mapbox
];

/** Prefixes shared with ordinary words: kept unless the body has a digit. */
const LOOSE: readonly string[] = [
  `sk-${D}{20,}`,
  `(?:sk|pk|rk|ntk|aa)[_-]${D}{16,}`,
  `re_[A-Za-z0-9_]{20,}`, // Resend
];

/**
 * Joins alternatives, grouping those that start with the same literal
 * character under it, so the engine rejects most positions on one test.
 */
function byFirstChar(alternatives: readonly string[]): string {
  const groups = new Map<string, string[]>();
  const rest: string[] = [];
  for (const a of alternatives) {
    if (/^[A-Za-z0-9][^?*+{]/.test(a)) {
      const g = groups.get(a[0]!) ?? [];
      g.push(a.slice(1));
      groups.set(a[0]!, g);
    } else rest.push(a);
  }
  return [...[...groups].map(([c, l]) => `${c}(?:${l.join("|")})`), ...rest].join("|");
}

/** Whether a value looks machine-made: letters and digits, or mixed case not shaped like words. */
export function looksRandom(v: string, min = 8): boolean {
  if (v.length < min) return false;
  let lower = 0, upper = 0, digit = 0, run = 0, maxRun = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      lower++;
      run++;
      if (run > maxRun) maxRun = run;
      continue;
    }
    run = 0;
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 48 && c <= 57) digit++;
  }
  if (digit > 0 && lower + upper > 0) return digit < v.length - 1;
  // No digit: random only if case changes often (not CamelCase words like "BinaryLike").
  return v.length >= 12 && upper >= 3 && lower >= 3 && maxRun <= 4 && !/^(?:[A-Z][a-z]+)+$/.test(v);
}

function hasDigit(s: string): boolean {
  return /\d/.test(s);
}

/** The Luhn checksum over the digits of `s`. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// Issuer prefixes: Visa, Mastercard (51-55, 2221-2720), Amex, Diners, Discover, UnionPay, JCB, Maestro.
const IIN = /^(?:4|5[0-69]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|3(?:0[0-5]|[689])|6\d|35)/;

function card(m: string): string {
  const digits = m.replace(/[ -]/g, "");
  if (digits.length < 13 || digits.length > 19 || !IIN.test(digits) || !luhn(digits)) return m;
  const seps = m.replace(/\d/g, "");
  if (seps.length > 0) {
    if (/^( +|-+)$/.test(seps) === false) return m;
    const groups = m.split(/[ -]/);
    if (groups.some((g) => g.length < 3 || g.length > 6)) return m;
  }
  return "<CARD>";
}

function basic(m: string, scheme: string, value: string): string {
  if (scheme === "Bearer") return looksRandom(value) ? `${scheme} <TOKEN>` : m;
  // Basic credentials are base64 of "user:password".
  if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return m;
  try {
    return atob(value).includes(":") ? `${scheme} <TOKEN>` : m;
  } catch {
    return m;
  }
}

const SCHEMES = /^(?:Bearer|Basic|Token|Bot|Digest|OAuth|ApiKey|SSWS|Key|Splunk|GenieKey)$/i;
const SCHEME_BEFORE = /(?:Bearer|Basic|Token|Bot|Digest|OAuth|ApiKey|SSWS|Key|Splunk|GenieKey)[ \t]+$/i;

let providerSource: string | undefined;

/** The format rules in the order they run: blocks first, so later rules never see key material. */
export const FORMAT_RULES: readonly FormatRule[] = [
  {
    name: "private-key-block",
    source: "-{4,5} ?BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}[\\s\\S]*?" +
      "(?:-{4,5} ?END[ A-Z0-9]{0,40}-{4,5}|$)",
    replace: "<PRIVATE_KEY>",
  },
  {
    // A PEM private key in base64 (kubeconfig client-key-data, Kubernetes tls.key): "LS0tLS1CRUdJTi" is "-----BEGIN".
    name: "private-key-base64",
    source: "(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/]{16,}={0,2}",
    replace: (m) => {
      try {
        return atob(m.slice(0, 96 - (Math.min(m.length, 96) % 4))).includes("PRIVATE KEY")
          ? "<PRIVATE_KEY>"
          : m;
      } catch {
        return m;
      }
    },
  },
  {
    name: "putty-key",
    source: "(?:PuTTY-User-Key-File-\\d{1,2}:|Private-Lines:)[\\s\\S]*?(?:Private-MAC:[ \\t]*[0-9a-fA-F]*|$)",
    replace: "<PRIVATE_KEY>",
  },
  {
    name: "jwt",
    source: "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*",
    replace: "<JWT>",
  },
  {
    name: "webhook",
    source:
      "((?:hooks\\.slack\\.com/(?:services|workflows|triggers)|discord(?:app)?\\.com/api/webhooks/\\d{5,25}|" +
      "outlook\\.office\\.com/webhook|webhook\\.office\\.com/webhookb2)/)[A-Za-z0-9/_@-]{20,}",
    replace: "$1<TOKEN>",
  },
  {
    name: "aws-key-id",
    source:
      `${B}(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])`,
    replace: "<AWS_KEY>",
  },
  {
    name: "aws-secret",
    source:
      "((?:aws_?)?(?:secret_?access_?key|session_?token)[\"']?)([ \\t]{0,8}[=:][ \\t]{0,8}[\"']?|[ \\t]{1,8})" +
      "[A-Za-z0-9/+=]{20,}",
    flags: "i",
    replace: "$1$2<AWS_SECRET>",
  },
  {
    // X (Twitter) app bearer tokens: a run of A, then a URL-encoded body.
    name: "x-bearer",
    source: `${B}A{20,}[A-Za-z0-9%]{30,}`,
    replace: (m) => (m.includes("%") ? "<TOKEN>" : m),
  },
  {
    name: "provider-token",
    // Built on first use: grouping the prefixes is work a hook whose text holds no token never needs.
    get source() {
      return (providerSource ??= `${B}(?=[A-Za-z0-9])(?:${byFirstChar(PREFIXED)})`);
    },
    replace: "<TOKEN>",
  },
  {
    name: "loose-token",
    source: `${B}(?:${LOOSE.join("|")})`,
    replace: (m) => (hasDigit(m.slice(3)) ? "<TOKEN>" : m),
  },
  {
    name: "authorization-header",
    source: "(?<![A-Za-z0-9-])((?:Proxy-)?Authorization[\"'`]?[ \\t]{0,8}[:=][ \\t]{0,8}[\"'`]?" +
      "(?:(?:Bearer|Basic|Token|Bot|Digest|OAuth|ApiKey|SSWS|Key|Splunk|GenieKey)[ \\t]{1,8})?)([^\\s\"'`\\\\<>$]{6,})",
    flags: "i",
    replace: (m, head, value) => {
      const scheme = SCHEME_BEFORE.test(head!);
      if (SCHEMES.test(value!) || !(scheme || looksRandom(value!))) return m;
      return `${head}<TOKEN>`;
    },
  },
  {
    name: "bearer",
    source: "(?<![A-Za-z0-9])(Bearer|Basic)[ \\t]{1,8}([A-Za-z0-9._~+/=-]{8,})",
    replace: (m, scheme, value) => basic(m, scheme!, value!),
  },
  {
    name: "card",
    source: "(?<![0-9.,:/_-]|\\d[ -])[2-6]\\d(?:[ -]?\\d){11,17}(?![ -]?\\d)",
    replace: card,
  },
  {
    // +CC and 8-15 digits, or groups like (555) 123-4567 / 555-123-4567 / 555 123 4567.
    name: "phone",
    source: "(?<![\\w+])\\+\\d{1,3}[ .-]?(?:\\(?\\d{1,4}\\)?[ .-]?){2,4}\\d{2,4}(?![\\w])|" +
      "(?<![\\w.:-])\\(?\\d{3}\\)?[ .-]\\d{3}[ .-]\\d{4}(?![\\w.:-])",
    replace: "<PHONE>",
  },
];

/**
 * Secrets made recognisable by a neighbour: a bare 40-character AWS secret
 * next to an access key id, a Twilio auth token next to an account SID.
 */
export const COMPANION_RULES: readonly { when: RegExp; rule: FormatRule }[] = [
  {
    when: /(?:AKIA|ASIA)[A-Z0-9]{16}|<AWS_KEY>/,
    rule: {
      name: "aws-secret-companion",
      source: "(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
      replace: (m) => (looksRandom(m) ? "<AWS_SECRET>" : m),
    },
  },
  {
    when: /(?:AC|SK)[0-9a-f]{32}|twilio/i,
    rule: {
      name: "twilio-token-companion",
      source: "(?<![A-Za-z0-9])[0-9a-f]{32}(?![A-Za-z0-9])",
      replace: (m) => (looksRandom(m) ? "<TOKEN>" : m),
    },
  },
];

const compiled = new Map<FormatRule, RegExp>();

/** Applies one format rule (compiled on first use) to `s`. */
export function applyFormatRule(rule: FormatRule, s: string): string {
  let re = compiled.get(rule);
  if (!re) {
    re = new RegExp(rule.source, `g${rule.flags ?? ""}`);
    compiled.set(rule, re);
  }
  re.lastIndex = 0;
  // deno-lint-ignore no-explicit-any
  return s.replace(re, rule.replace as any);
}
