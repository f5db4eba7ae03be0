/**
 * Ordinary developer text that scrubbing must leave exactly as it is:
 * commands, logs, code, diffs and prose that mention secrets without
 * containing any. Ids, hashes and versions are generated.
 */

import { Gen, rng } from "./_scrub_secret_corpus.ts";

const FIXED: string[] = [
  "git remote add origin git@github.com:acme/lifeline.git",
  "git clone git@gitlab.com:platform/infra-live.git && cd infra-live",
  "ssh -i ~/.ssh/id_ed25519 ubuntu@ec2-3-91-44-12.compute-1.amazonaws.com",
  "ssh deploy@10.0.4.17 'sudo systemctl status nginx'",
  "scp build.tar.gz admin@bastion.acme.dev:/tmp/",
  "rsync -avz ./dist/ www@web1.acme.internal:/var/www/html/",
  "ssh://git@github.com/acme/api.git",
  '<img src="/static/img/logo@2x.png" srcset="logo@3x.png 3x">',
  "background-image: url(icons/arrow@2x.webp);",
  "npm install @types/node@20.11.5 @scope/pkg@1.2.3 react@18.2.0",
  "pnpm add -D @babel/core@7.24.0 eslint@^9.0.0",
  "yarn why lodash@4.17.21",
  "deno add npm:fast-check@4.10.2",
  "pip install 'requests==2.31.0' 'django>=4.2,<5'",
  "Basic configuration is described in docs/setup.md.",
  "The Bearer of bad news: CI is red again.",
  "Use Bearer authentication for the public API; see the Authorization header docs.",
  "Basic usage: lifeline status --json",
  "Token limits: max_tokens: 4096, prompt_tokens: 812, completion_tokens: 233",
  '{"usage": {"input_tokens": 1520, "output_tokens": 311, "total_tokens": 1831}}',
  "tokenizer = AutoTokenizer.from_pretrained(model_name)",
  "interface Credentials { username: string; password: string; token?: string }",
  "def login(username: str, password: str) -> Session:",
  "const password = await prompt.password('Enter password: ');",
  "conn = psycopg2.connect(host=host, user=user, password=password, dbname=db)",
  "api_key = os.environ['OPENAI_API_KEY']",
  "apiKey: process.env.OPENAI_API_KEY,",
  "secret_key = settings.SECRET_KEY",
  'password: z.string().min(8, "Password must be at least 8 characters"),',
  "export GITHUB_TOKEN=$(gh auth token)",
  "export OPENAI_API_KEY=${OPENAI_API_KEY:?missing}",
  "        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}",
  "DB_PASSWORD=\nDB_HOST=localhost\nDB_PORT=5432",
  "password_reset_url: https://acme.dev/reset",
  "token_endpoint: https://oauth2.googleapis.com/token",
  "secretName: tls-acme-dev",
  "The password is required and must be at least 12 characters long.",
  "Forgot your password? Click the link below to reset it.",
  '"forgot_password": "Forgot your password?",',
  "docker pull ghcr.io/acme/api@sha256:3f1c9d2e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d",
  "FROM node:20.11-alpine AS build",
  "listening on http://127.0.0.1:8080 (pid 48213)",
  "curl -s http://localhost:3000/health | jq .status",
  "https://github.com/acme/lifeline/pull/214/files#diff-8b1a9953c4611296a827abf8c47804d7",
  "Visit https://docs.github.com/en/authentication for details.",
  "2026-11-21T05:43:04.803998Z INFO request_id=0d2f3c4a latency_ms=183",
  "Nov 21 05:43:04 web1 sshd[4123]: Accepted publickey for deploy from 10.0.0.5 port 51234",
  "[2026-11-21 05:43:04] ERROR: connection refused (errno 111) at db.internal:5432",
  "Tests: 142 passed, 3 skipped, 0 failed (12.4s)",
  "error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.",
  "  --> src/main.rs:42:17\n   |\n42 |     let token = lexer.next_token();",
  "panic: runtime error: index out of range [5] with length 5",
  "    at Object.<anonymous> (/home/runner/work/app/src/index.ts:12:5)",
  'Traceback (most recent call last):\n  File "/app/main.py", line 8, in <module>',
  "diff --git a/src/auth.ts b/src/auth.ts\n--- a/src/auth.ts\n+++ b/src/auth.ts\n@@ -10,7 +10,7 @@",
  " 3 files changed, 120 insertions(+), 45 deletions(-)",
  "mkdir -p build/out && cp -r assets build/out/",
  "go test -parallel 4 -run TestAuth ./...",
  "kubectl get pods -n prod -o wide",
  "kubectl create secret generic db-creds --from-file=./creds.env",
  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3",
  'apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: debug\n  FEATURE_X: "true"',
  "terraform plan -var-file=prod.tfvars -out=plan.bin",
  'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs-prod"\n}',
  "SELECT id, email_verified, created_at FROM users WHERE id = 42;",
  "chmod 600 ~/.ssh/id_rsa && ssh-add ~/.ssh/id_rsa",
  "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----",
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\n-----END PUBLIC KEY-----",
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGpXu1gN0eG8hP0S5v3zW1z5kq0e9J2nq3t6q0xvYw8f ann@laptop",
  "Run `lifeline doctor` to check the hooks; it prints OK for each event.",
  "The build took 3m 12s on runner ubuntu-22.04 (2 cores, 7 GB).",
  "Meeting moved to 2026-12-03 14:30 UTC, room 4.12.",
  "Version 0.169.0 fixes #1234 and #1240.",
  "Call me when the deploy is done, I'll be at the desk.",
  "The quick brown fox jumps over the lazy dog 1234567890 times.",
  "Set `secret: true` on the field to hide it in the UI.",
  "auth: none",
  "key: value",
  "- key: app\n  operator: In\n  values: [api, worker]",
  'primary_key = "id"\nsort_key = "created_at"',
  'ports:\n  - "5432:5432"\n  - "6379:6379"',
  "x = a == b ? token : null;",
  'if (password.length < 12) throw new Error("too short");',
  "Error: Invalid token (expected string, got undefined)",
  'curl -H "Authorization: Bearer $TOKEN" https://api.github.com/user',
  "curl -H 'Authorization: token ${GITHUB_TOKEN}' https://api.github.com/repos/acme/x",
  "echo $PATH | tr ':' '\\n'",
  "PATH=/usr/local/bin:/usr/bin:/bin",
  "Today at 10:30:45 the job 7f3e2a finished.",
  "The sk-learn library is now scikit-learn.",
  "task-1234: migrate the cache; desk-7788 blocked",
  "Email support is available on the contact page.",
  "user@host is the usual placeholder in these docs",
  "Order #100234 shipped on 2026-11-20, tracking 1Z999AA10123456784.",
  "Phone-shaped but not: v1.2.3-4567 and 2026-11-21",
  "Backup finished: 1,234,567 bytes in 12.3 s",
  'In config.toml set model = "o4-mini" and approval_policy = "on-request".',
  "The function returns a session token that expires after 15 minutes.",
  "cat package.json | jq '.dependencies'",
  "python -m venv .venv && source .venv/bin/activate",
  "See RFC 6750 section 2.1 for the Authorization request header field.",
];

/** The benign corpus: fixed texts plus generated ids, hashes and versions. */
export function benignTexts(seed = 61): string[] {
  const g = new Gen(rng(seed));
  const out = [...FIXED];
  for (let k = 0; k < 6; k++) {
    out.push(`commit ${g.hex(40)}\nMerge: ${g.hex(7)} ${g.hex(7)}`);
    out.push(`session ${g.uuid()} turn ${g.uuid()} started`);
    out.push(`git checkout ${g.hex(12)} -- src/lib/${g.pick(["auth", "store", "hub"])}.ts`);
    out.push(
      `released v${g.digits(1)}.${g.digits(2)}.${g.digits(1)}-rc.${g.digits(1)} at ${Date.UTC(2026, 10, k)}`,
    );
    out.push(`image: registry.acme.dev/api@sha256:${g.hex(64)}`);
    out.push(
      `/home/runner/work/${g.pick(["api", "web"])}/node_modules/.pnpm/ws@8.18.${g.digits(1)}/index.js`,
    );
  }
  return out;
}
