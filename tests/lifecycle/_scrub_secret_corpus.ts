/**
 * A generated corpus of secrets as developers paste them: each kind makes a
 * fresh random value of the right charset and length (seeded, so runs are
 * reproducible), and each sample places it in one channel (prose, shell,
 * JSON, YAML, .env, code, tool output, URL). The corpus knows the formats,
 * not the scrubber's patterns.
 */

export interface SecretSample {
  kind: string;
  context: string;
  text: string;
  /** Strings that must not survive scrubbing. */
  needles: string[];
}

/** A small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();
const DIGITS = "0123456789";
const ALNUM = LOWER + UPPER + DIGITS;
const HEX = "0123456789abcdef";
const B64 = ALNUM + "+/";
const B64URL = ALNUM + "-_";

export class Gen {
  constructor(readonly r: () => number) {}
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  str(chars: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += chars[Math.floor(this.r() * chars.length)];
    return s;
  }
  alnum = (n: number) => this.str(ALNUM, n);
  hex = (n: number) => this.str(HEX, n);
  b64 = (n: number) => this.str(B64, n);
  b64url = (n: number) => this.str(B64URL, n);
  upnum = (n: number) => this.str(UPPER + DIGITS, n);
  digits = (n: number) => this.str(DIGITS, n);
  uuid = () => `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  password(): string {
    const n = 10 + Math.floor(this.r() * 14);
    // Always a mix, as password rules demand: letters, a digit, a symbol.
    return this.str(LOWER, 3) + this.str(ALNUM + "!%^*_+=-.@", n - 5) + this.digits(1) +
      this.pick(["!", "_", "%", "."]);
  }
  urlPassword = () =>
    this.str(ALNUM, 4) + this.str(ALNUM + "-_.~", 8 + Math.floor(this.r() * 12)) + this.digits(1);
}

const b64 = (s: string) => btoa(s);
const b64url = (s: string) => b64(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

function luhnComplete(prefix: string, length: number, g: Gen): string {
  const n = prefix + g.digits(length - prefix.length - 1);
  for (let d = 0; d < 10; d++) {
    const c = n + d;
    let sum = 0;
    for (let i = 0; i < c.length; i++) {
      let x = c.charCodeAt(c.length - 1 - i) - 48;
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return c;
  }
  return n;
}

function pemBody(g: Gen, lines: number): string[] {
  return Array.from({ length: lines }, () => g.b64(64));
}

/** A secret kind: the variable it usually lives in and how to make a value. */
interface Kind {
  name: string;
  env: string;
  make: (g: Gen) => string;
  /** Only recognisable next to its name (no distinctive format). */
  named?: boolean;
  /** A whole block or line: placed as it is, with its own needles. */
  block?: (g: Gen) => { text: string; needles: string[] };
}

const KINDS: Kind[] = [
  { name: "openai", env: "OPENAI_API_KEY", make: (g) => `sk-${g.alnum(20)}T3BlbkFJ${g.alnum(20)}` },
  { name: "openai-project", env: "OPENAI_API_KEY", make: (g) => `sk-proj-${g.b64url(156)}` },
  { name: "anthropic", env: "ANTHROPIC_API_KEY", make: (g) => `sk-ant-api03-${g.b64url(93)}AA` },
  { name: "github-classic", env: "GITHUB_TOKEN", make: (g) => `ghp_${g.alnum(36)}` },
  { name: "github-oauth", env: "GH_TOKEN", make: (g) => `gho_${g.alnum(36)}` },
  { name: "github-app", env: "GITHUB_TOKEN", make: (g) => `ghs_${g.alnum(36)}` },
  { name: "github-user", env: "GH_TOKEN", make: (g) => `ghu_${g.alnum(36)}` },
  { name: "github-fine", env: "GITHUB_PAT", make: (g) => `github_pat_11${g.upnum(20)}_${g.alnum(59)}` },
  { name: "gitlab", env: "GITLAB_TOKEN", make: (g) => `glpat-${g.b64url(20)}` },
  {
    name: "slack-bot",
    env: "SLACK_BOT_TOKEN",
    make: (g) => `xoxb-${g.digits(12)}-${g.digits(13)}-${g.alnum(24)}`,
  },
  {
    name: "slack-user",
    env: "SLACK_TOKEN",
    make: (g) => `xoxp-${g.digits(12)}-${g.digits(12)}-${g.digits(13)}-${g.hex(32)}`,
  },
  { name: "stripe-secret", env: "STRIPE_SECRET_KEY", make: (g) => `sk_live_${g.alnum(99)}` },
  { name: "stripe-restricted", env: "STRIPE_KEY", make: (g) => `rk_live_${g.alnum(24)}` },
  { name: "stripe-publishable", env: "STRIPE_PUBLISHABLE_KEY", make: (g) => `pk_live_${g.alnum(24)}` },
  { name: "aws-key-id", env: "AWS_ACCESS_KEY_ID", make: (g) => `AKIA${g.upnum(16)}` },
  { name: "aws-sts-key-id", env: "AWS_ACCESS_KEY_ID", make: (g) => `ASIA${g.upnum(16)}` },
  { name: "aws-secret", env: "AWS_SECRET_ACCESS_KEY", make: (g) => g.b64(40), named: true },
  { name: "google-api", env: "GOOGLE_API_KEY", make: (g) => `AIza${g.b64url(35)}` },
  { name: "google-oauth-secret", env: "GOOGLE_CLIENT_SECRET", make: (g) => `GOCSPX-${g.b64url(28)}` },
  { name: "huggingface", env: "HF_TOKEN", make: (g) => `hf_${g.str(LOWER + UPPER, 34)}` },
  { name: "npm", env: "NPM_TOKEN", make: (g) => `npm_${g.alnum(36)}` },
  { name: "pypi", env: "TWINE_PASSWORD", make: (g) => `pypi-AgEIcHlwaS5vcmc${g.b64url(70)}` },
  { name: "docker", env: "DOCKER_TOKEN", make: (g) => `dckr_pat_${g.b64url(27)}` },
  { name: "twilio-api-key", env: "TWILIO_API_KEY", make: (g) => `SK${g.hex(32)}` },
  { name: "twilio-auth-token", env: "TWILIO_AUTH_TOKEN", make: (g) => g.hex(32), named: true },
  { name: "sendgrid", env: "SENDGRID_API_KEY", make: (g) => `SG.${g.b64url(22)}.${g.b64url(43)}` },
  { name: "mailgun", env: "MAILGUN_API_KEY", make: (g) => `key-${g.hex(32)}` },
  {
    name: "discord-bot",
    env: "DISCORD_TOKEN",
    make: (g) => `MT${g.b64url(24)}.${g.b64url(6)}.${g.b64url(38)}`,
  },
  { name: "digitalocean", env: "DIGITALOCEAN_TOKEN", make: (g) => `dop_v1_${g.hex(64)}` },
  { name: "datadog", env: "DD_API_KEY", make: (g) => g.hex(32), named: true },
  { name: "datadog-app", env: "DD_APP_KEY", make: (g) => g.hex(40), named: true },
  { name: "databricks", env: "DATABRICKS_TOKEN", make: (g) => `dapi${g.hex(32)}` },
  {
    name: "atlassian",
    env: "JIRA_API_TOKEN",
    make: (g) => `ATATT3xFfGF0${g.b64url(180)}=${g.hex(8).toUpperCase()}`,
  },
  { name: "shopify", env: "SHOPIFY_ACCESS_TOKEN", make: (g) => `shpat_${g.hex(32)}` },
  { name: "heroku", env: "HEROKU_API_KEY", make: (g) => g.uuid(), named: true },
  { name: "heroku-new", env: "HEROKU_API_KEY", make: (g) => `HRKU-${g.b64url(60)}` },
  { name: "vercel", env: "VERCEL_TOKEN", make: (g) => g.alnum(24), named: true },
  { name: "supabase", env: "SUPABASE_ACCESS_TOKEN", make: (g) => `sbp_${g.hex(40)}` },
  { name: "linear", env: "LINEAR_API_KEY", make: (g) => `lin_api_${g.alnum(40)}` },
  { name: "groq", env: "GROQ_API_KEY", make: (g) => `gsk_${g.alnum(52)}` },
  { name: "replicate", env: "REPLICATE_API_TOKEN", make: (g) => `r8_${g.alnum(37)}` },
  {
    name: "generic-secret",
    env: "API_SECRET",
    make: (g) => g.b64url(32 + Math.floor(g.r() * 20)),
    named: true,
  },
  { name: "client-secret", env: "CLIENT_SECRET", make: (g) => g.alnum(40), named: true },
  { name: "password", env: "DB_PASSWORD", make: (g) => g.password(), named: true },
  { name: "jwt-secret", env: "JWT_SECRET", make: (g) => g.hex(64), named: true },
  {
    name: "jwt",
    env: "SUPABASE_SERVICE_ROLE_KEY",
    make: (g) =>
      `${b64url('{"alg":"HS256","typ":"JWT"}')}.${
        b64url(`{"sub":"${g.digits(10)}","role":"service_role","iat":${g.digits(10)}}`)
      }.${g.b64url(43)}`,
  },
];

const BLOCKS: Kind[] = [
  {
    name: "pem-rsa",
    env: "",
    make: () => "",
    block: (g) => {
      const body = pemBody(g, 8);
      return {
        text: `-----BEGIN RSA PRIVATE KEY-----\n${body.join("\n")}\n-----END RSA PRIVATE KEY-----`,
        needles: body,
      };
    },
  },
  {
    name: "pem-openssh",
    env: "",
    make: () => "",
    block: (g) => {
      const body = [
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        ...pemBody(g, 5),
      ];
      return {
        text: `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`,
        needles: body.slice(1),
      };
    },
  },
  {
    name: "pem-ec",
    env: "",
    make: () => "",
    block: (g) => {
      const body = pemBody(g, 3);
      return {
        text: `-----BEGIN EC PRIVATE KEY-----\n${body.join("\n")}\n-----END EC PRIVATE KEY-----`,
        needles: body,
      };
    },
  },
  {
    name: "pgp",
    env: "",
    make: () => "",
    block: (g) => {
      const body = pemBody(g, 6);
      return {
        text:
          `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF${g.b64(58)}\n${body.join("\n")}\n=${g.b64(4)}\n` +
          "-----END PGP PRIVATE KEY BLOCK-----",
        needles: body,
      };
    },
  },
  {
    name: "putty",
    env: "",
    make: () => "",
    block: (g) => {
      const priv = pemBody(g, 4);
      return {
        text:
          `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-2026\nPublic-Lines: 2\n` +
          `AAAAC3NzaC1lZDI1NTE5AAAAI${g.b64(40)}\n${g.b64(20)}\nPrivate-Lines: 4\n${priv.join("\n")}\n` +
          `Private-MAC: ${g.hex(64)}`,
        needles: priv,
      };
    },
  },
  {
    name: "gcp-service-account",
    env: "",
    make: () => "",
    block: (g) => {
      const body = pemBody(g, 6);
      return {
        text: JSON.stringify(
          {
            type: "service_account",
            project_id: "acme-prod-123",
            private_key_id: g.hex(40),
            private_key: `-----BEGIN PRIVATE KEY-----\n${body.join("\n")}\n-----END PRIVATE KEY-----\n`,
            client_email: "deployer@acme-prod-123.iam.gserviceaccount.com",
          },
          null,
          2,
        ),
        needles: body,
      };
    },
  },
  {
    name: "azure-storage",
    env: "",
    make: () => "",
    block: (g) => {
      const key = `${g.b64(86)}==`;
      return {
        text: `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmeprod;` +
          `AccountKey=${key};EndpointSuffix=core.windows.net"`,
        needles: [key],
      };
    },
  },
  {
    name: "azure-sas",
    env: "",
    make: () => "",
    block: (g) => {
      const sig = `${g.alnum(30)}%2B${g.alnum(10)}%3D`;
      return {
        text:
          `az storage blob download --blob-url "https://acme.blob.core.windows.net/backups/db.tar.gz?sv=2022-11-02` +
          `&ss=b&srt=o&sp=r&se=2026-12-31T23:59:59Z&spr=https&sig=${sig}"`,
        needles: [sig],
      };
    },
  },
  {
    name: "slack-webhook",
    env: "",
    make: () => "",
    block: (g) => {
      const secret = g.alnum(24);
      return {
        text: `curl -X POST -d '{"text":"deploy ok"}' https://hooks.slack.com/services/T${g.upnum(8)}/B${
          g.upnum(10)
        }/${secret}`,
        needles: [secret],
      };
    },
  },
  {
    name: "discord-webhook",
    env: "",
    make: () => "",
    block: (g) => {
      const secret = g.b64url(68);
      return {
        text: `WEBHOOK=https://discord.com/api/webhooks/${g.digits(19)}/${secret}`,
        needles: [secret],
      };
    },
  },
  {
    name: "twilio-curl",
    env: "",
    make: () => "",
    block: (g) => {
      const token = g.hex(32);
      return {
        text: `curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC${g.hex(32)}/Messages.json ` +
          `--data-urlencode "Body=hi" -u AC${g.hex(32)}:${token}`,
        needles: [token],
      };
    },
  },
];

export { BLOCKS, KINDS };
export { b64, b64url, luhnComplete };
