/** Places the generated secrets of the corpus into the channels hooks see. */

import { b64, BLOCKS, Gen, KINDS, luhnComplete, rng, type SecretSample } from "./_scrub_secret_corpus.ts";

const camel = (env: string) => env.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

type Place = (v: string, env: string, g: Gen) => string;

/** Channels that name the variable: any value must go. */
const NAMED: Record<string, Place> = {
  "shell-export": (v, e) => `export ${e}=${v}\nnpm run deploy`,
  "shell-quoted": (v, e) => `export ${e}="${v}" && ./scripts/release.sh`,
  "inline-env": (v, e) => `${e}='${v}' python manage.py runserver 0.0.0.0:8000`,
  "dotenv": (v, e) => `# .env\nNODE_ENV=production\n${e}=${v}\nPORT=3000`,
  "json": (v, e) => JSON.stringify({ [camel(e)]: v, region: "us-east-1", retries: 3 }),
  "json-pretty": (v, e) => JSON.stringify({ env: { [e]: v, LOG_LEVEL: "debug" } }, null, 2),
  "yaml": (v, e) => `env:\n  - name: LOG_LEVEL\n    value: info\n  ${e.toLowerCase()}: ${v}\n`,
  "yaml-quoted": (v, e) => `config:\n  ${camel(e)}: "${v}"\n  timeout: 30`,
  "toml": (v, e) => `[service]\n${e.toLowerCase()} = "${v}"\nport = 8080`,
  "python": (v, e) => `import os\n${e.toLowerCase()} = "${v}"\nclient = Client(${e.toLowerCase()})`,
  "docker-run": (v, e) => `docker run --rm -e ${e}=${v} -p 8080:8080 ghcr.io/acme/api:1.4.2`,
  "tool-output": (v, e) => `$ printenv | grep ${e.split("_")[0]}\n${e}=${v}\n`,
  "github-actions": (v, e) => `      - run: ./deploy.sh\n        env:\n          ${e}: ${v}`,
  "powershell": (v, e) => `$env:${e} = "${v}"; .\\build.ps1`,
};

/** Channels where only the value's format can give it away. */
const BARE: Record<string, Place> = {
  "prose": (v) => `I tried ${v} but the API still answers 401, what am I doing wrong?`,
  "prose-end": (v) => `Here is what I have in the config right now: ${v}`,
  "log-line": (v) => `2026-11-21T05:43:04.803Z WARN auth rejected credential=${v} status=401`,
  "error": (v) => `Error: Request failed with status code 401\n    at client (${v})\n    at node:internal`,
  "curl-bearer": (v) => `curl -sS -H "Authorization: Bearer ${v}" https://api.example.com/v1/models | jq .`,
  "code-ts": (v) => `const client = new Client({ apiKey: "${v}", baseURL: "https://api.example.com" });`,
  "code-py": (v) => `client = OpenAI(api_key="${v}")\nprint(client.models.list())`,
  "markdown": (v) => "Set the key in your shell:\n\n```sh\n" + `export KEY=${v}` + "\n```",
  "query": (v) => `GET https://api.example.com/v2/items?limit=10&access_token=${v} HTTP/1.1`,
  "table": (v) => `| name    | value |\n|---------|-------|\n| prod    | ${v} |`,
};

const FLAGS: Place[] = [
  (p) => `mysql -h db.internal -u admin -p${p} shop < dump.sql`,
  (p) => `psql "postgresql://app:${p}@db.internal:5432/shop?sslmode=require"`,
  (p) => `sshpass -p '${p}' ssh deploy@10.0.4.17 'sudo systemctl restart api'`,
  (p) => `redis-cli -h cache.internal -a ${p} PING`,
  (p) => `docker login -u acme -p ${p} registry.acme.io`,
  (p) => `./bin/admin create-user --email ops@acme.dev --password ${p}`,
  (p) => `vault login -method=userpass username=ops password=${p}`,
  (p) => `curl -u admin:${p} https://jenkins.acme.dev/api/json`,
  (p) => `mysqldump --user=root --password='${p}' --all-databases > all.sql`,
  (p) => `openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.p12 -passout pass:${p}`,
  (p) => `helm upgrade api ./chart --set secret.password=${p}`,
  (p) => `terraform apply -var 'db_password=${p}'`,
  (p) => `ansible_password: ${p}`,
  (p) => `"ConnectionStrings": {"Default": "Server=db;Database=app;User Id=sa;Password=${p};"}`,
  (p) => `define('DB_PASSWORD', '${p}');`,
  (p) => `psql "host=db port=5432 user=app password=${p} dbname=app"`,
  (p) => `$ echo $DB_PASSWORD\n${p}`,
  (p) => `{"type":"password","value":"${p}"}`,
  (p) => `sshpass -p${p} ssh host`,
  (p) => `sqlcmd -S db -U sa -P "${p}" -Q "select 1"`,
  (p) => `machine api.heroku.com login ann@acme.dev password ${p}`,
  (p) => `<add key="ClearTextPassword" value="${p}" />`,
];

const DSNS: Place[] = [
  (p) => `DATABASE_URL=postgres://app_user:${p}@db.prod.internal:5432/app`,
  (p) => `redis://:${p}@cache.prod.internal:6379/0`,
  (p) => `MONGODB_URI="mongodb+srv://admin:${p}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true&w=majority"`,
  (p) => `amqp://guest:${p}@rabbitmq:5672/%2F`,
  (p) => `connection string: mysql://root:${p}@127.0.0.1:3306/wordpress`,
  (p) => `git clone https://oauth2:${p}@gitlab.acme.dev/platform/infra.git`,
  (p) => `{"url": "postgresql://svc:${p}@10.1.2.3/analytics"}`,
  (p) => `spring.datasource.url=jdbc:postgresql://db:5432/app?user=app&password=${p}`,
];

function cardSamples(g: Gen): SecretSample[] {
  const out: SecretSample[] = [];
  const brands: [string, number, number[]][] = [
    ["4", 16, [4, 4, 4, 4]],
    ["51", 16, [4, 4, 4, 4]],
    ["2223", 16, [4, 4, 4, 4]],
    ["37", 15, [4, 6, 5]],
    ["6011", 16, [4, 4, 4, 4]],
    ["35", 16, [4, 4, 4, 4]],
    ["4", 13, [4, 4, 5]],
    ["62", 19, [4, 4, 4, 4, 3]],
  ];
  const contexts: Place[] = [
    (c) => `customer says card ${c} was charged twice`,
    (c) => `{"card_number": "${c}", "exp": "12/29"}`,
    (c) => `stripe test: pay with ${c}, exp 04/28, cvc 123`,
  ];
  for (const [prefix, len, groups] of brands) {
    for (let k = 0; k < 3; k++) {
      const digits = luhnComplete(prefix, len, g);
      const sep = g.pick(["", " ", "-"]);
      let at = 0;
      const shown = sep === "" ? digits : groups.map((n) => digits.slice(at, at += n)).join(sep);
      out.push({ kind: "card", context: `card-${k}`, text: contexts[k]!(shown, "", g), needles: [shown] });
    }
  }
  return out;
}

function manifestSamples(g: Gen): SecretSample[] {
  const out: SecretSample[] = [];
  for (let k = 0; k < 3; k++) {
    const vals = [b64(`user${g.digits(3)}`), b64(g.password()), b64(`db-${g.digits(2)}.internal`)];
    out.push({
      kind: "kubernetes-secret",
      context: `manifest-${k}`,
      text:
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: prod\ntype: Opaque\n` +
        `data:\n  username: ${vals[0]}\n  password: ${vals[1]}\n  host: ${vals[2]}\n`,
      needles: vals,
    });
    const pw = g.password();
    out.push({
      kind: "kubernetes-secret",
      context: `string-data-${k}`,
      text: `kubectl apply -f - <<EOF\napiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n` +
        `  DB_URL: db.internal\n  ADMIN_PASS: "${pw}"\nEOF`,
      needles: [pw],
    });
  }
  return out;
}

function headerSamples(g: Gen): SecretSample[] {
  const out: SecretSample[] = [];
  for (let k = 0; k < 4; k++) {
    const cred = b64(`admin:${g.password()}`);
    out.push({
      kind: "basic-auth",
      context: `header-${k}`,
      text: g.pick([
        `curl -H "Authorization: Basic ${cred}" https://registry.acme.dev/v2/_catalog`,
        `GET /api HTTP/1.1\nHost: acme.dev\nAuthorization: Basic ${cred}\nAccept: */*`,
      ]),
      needles: [cred],
    });
    const opaque = g.b64url(40);
    out.push({
      kind: "bearer-opaque",
      context: `header-${k}`,
      text: g.pick([
        `curl https://api.acme.dev/me -H 'authorization: Bearer ${opaque}'`,
        `requests.get(url, headers={"Authorization": "Bearer ${opaque}"})`,
        `X-Api-Key: ${opaque}`,
      ]),
      needles: [opaque],
    });
  }
  return out;
}

function emailSamples(g: Gen): SecretSample[] {
  const names = ["ann.lee", "bob", "j.doe+ci", "maria_garcia", "dev-ops", "li.wei"];
  const domains = ["gmail.com", "acme.co.uk", "example.org", "mail.corp.internal.io", "163.com"];
  return names.map((n, k) => {
    const email = `${n}${g.digits(2)}@${g.pick(domains)}`;
    return {
      kind: "email",
      context: `email-${k}`,
      text: g.pick([
        `Author: Ann Lee <${email}>\nDate:   Mon Nov 2 10:00:00 2026 +0100`,
        `please send the report to ${email} by friday`,
        `git config --global user.email "${email}"`,
      ]),
      needles: [email],
    };
  });
}

/** Builds the whole secret corpus (deterministic for a seed). */
export function secretSamples(seed = 16): SecretSample[] {
  const g = new Gen(rng(seed));
  const out: SecretSample[] = [];
  const named = Object.entries(NAMED);
  const bare = Object.entries(BARE);
  for (const kind of KINDS) {
    const places = kind.named ? [...named] : [...named, ...bare];
    for (let k = 0; k < 4; k++) {
      const [context, place] = places.splice(Math.floor(g.r() * places.length), 1)[0]!;
      const v = kind.make(g);
      out.push({ kind: kind.name, context, text: place(v, kind.env, g), needles: [v] });
    }
  }
  for (const kind of BLOCKS) {
    for (let k = 0; k < 3; k++) {
      const { text, needles } = kind.block!(g);
      const wrap = g.pick([
        (t: string) => t,
        (t: string) => `cat secrets/file\n${t}\n`,
        (t: string) => `here:\n${t}`,
      ]);
      out.push({ kind: kind.name, context: `block-${k}`, text: wrap(text), needles });
    }
  }
  FLAGS.forEach((f, k) => {
    const p = g.urlPassword();
    out.push({ kind: "password-flag", context: `flag-${k}`, text: f(p, "", g), needles: [p] });
  });
  DSNS.forEach((f, k) => {
    const p = g.urlPassword();
    out.push({ kind: "dsn", context: `dsn-${k}`, text: f(p, "", g), needles: [p] });
  });
  return [...out, ...cardSamples(g), ...manifestSamples(g), ...headerSamples(g), ...emailSamples(g)];
}
