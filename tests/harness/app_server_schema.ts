/**
 * Generates the app-server JSON schema from a real Codex binary and cuts the
 * slice lifeline relies on: for every path of `RELIED_FIELDS`, the JSON types,
 * enum values and whether it is required, resolved through `$ref`, `allOf`,
 * `anyOf` and `oneOf`. The slices are committed under
 * `codex/app_server/schema/<version>/lifeline.schema.json`; rewrite them with
 * `deno run -A tests/harness/app_server_schema.ts 0.169.0 0.171.0`.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KNOWN_NOTIFICATIONS } from "../../codex/app_server/protocol.ts";
import { RELIED_FIELDS, REQUEST_SCHEMA } from "../../codex/app_server/fields.ts";
import { NOISY_NOTIFICATIONS } from "../../codex/app_server/requests.ts";
import { ensureCodexVersion } from "./codex_install.ts";

type Schema = Record<string, unknown>;

/** What the schema says about one relied-on path. */
export interface FieldFacts {
  type: string[];
  enum?: string[];
  required: boolean;
}

/** The slice: per schema file, per path; plus the methods lifeline uses that the version knows. */
export interface SchemaSlice {
  codexVersion: string;
  files: Record<string, Record<string, FieldFacts | "missing">>;
  notifications: string[];
  requests: string[];
  /** The notifications lifeline opts out of that the version knows. */
  optOut: string[];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where the committed slice of `version` lives. */
export function slicePath(version: string): string {
  return join(ROOT, "codex", "app_server", "schema", version, "lifeline.schema.json");
}

function isSchema(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Expands `$ref`, `allOf` and unions into the object-like alternatives of `node`. */
function alternatives(root: Schema, node: unknown, depth = 0): Schema[] {
  if (!isSchema(node) || depth > 20) return [];
  const ref = node["$ref"];
  if (typeof ref === "string") {
    const name = ref.replace("#/definitions/", "");
    return alternatives(root, (root["definitions"] as Schema | undefined)?.[name], depth + 1);
  }
  const out: Schema[] = [];
  if (node["properties"] || node["items"] || node["type"] || node["enum"]) out.push(node);
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = node[key];
    if (Array.isArray(list)) { for (const b of list) out.push(...alternatives(root, b, depth + 1)); }
  }
  return out;
}

interface Leaf {
  node: Schema;
  required: boolean;
}

function step(root: Schema, parents: Leaf[], segment: string): Leaf[] {
  const arrayStep = segment.endsWith("[]");
  const name = arrayStep ? segment.slice(0, -2) : segment;
  const out: Leaf[] = [];
  for (const parent of parents) {
    for (const alt of alternatives(root, parent.node)) {
      let child: unknown = alt;
      let required = parent.required;
      if (name !== "") {
        const props = alt["properties"] as Schema | undefined;
        if (!props || !(name in props)) continue;
        child = props[name];
        required &&= Array.isArray(alt["required"]) && (alt["required"] as string[]).includes(name);
      }
      if (arrayStep) {
        for (const a of alternatives(root, child)) {
          if (a["items"] !== undefined) out.push({ node: a["items"] as Schema, required });
        }
      } else out.push({ node: child as Schema, required });
    }
  }
  return out;
}

function describe(root: Schema, leaves: Leaf[]): FieldFacts {
  const types = new Set<string>();
  const enums = new Set<string>();
  for (const leaf of leaves) {
    for (const alt of alternatives(root, leaf.node)) {
      const t = alt["type"];
      for (const x of Array.isArray(t) ? t : t === undefined ? [] : [t]) types.add(String(x));
      if (Array.isArray(alt["enum"])) { for (const e of alt["enum"]) enums.add(String(e)); }
    }
  }
  const facts: FieldFacts = { type: [...types].sort(), required: leaves.every((l) => l.required) };
  if (enums.size > 0) facts.enum = [...enums].sort();
  return facts;
}

/** Resolves one dotted path in a schema file. */
export function resolvePath(schema: Schema, path: string): FieldFacts | "missing" {
  let leaves: Leaf[] = [{ node: schema, required: true }];
  for (const segment of path.split(".")) {
    leaves = step(schema, leaves, segment);
    if (leaves.length === 0) return "missing";
  }
  return describe(schema, leaves);
}

function methods(schema: Schema): string[] {
  const list = (schema["oneOf"] as Schema[] | undefined) ?? [];
  return list.flatMap((o) => ((o["properties"] as Schema)?.["method"] as Schema)?.["enum"] as string[] ?? []);
}

/** Cuts the slice out of a directory written by `generate-json-schema`. */
export async function sliceSchema(dir: string, codexVersion: string): Promise<SchemaSlice> {
  const files: SchemaSlice["files"] = {};
  for (const [file, paths] of Object.entries(RELIED_FIELDS)) {
    const schema = JSON.parse(await Deno.readTextFile(join(dir, file))) as Schema;
    files[file] = Object.fromEntries(paths.map((p) => [p, resolvePath(schema, p)]));
  }
  const server = methods(JSON.parse(await Deno.readTextFile(join(dir, "ServerNotification.json"))));
  const client = methods(JSON.parse(await Deno.readTextFile(join(dir, "ClientRequest.json"))));
  return {
    codexVersion,
    files,
    notifications: KNOWN_NOTIFICATIONS.filter((m) => server.includes(m)),
    requests: Object.keys(REQUEST_SCHEMA).filter((m) => client.includes(m)),
    optOut: NOISY_NOTIFICATIONS.filter((m) => server.includes(m)),
  };
}

/** Runs `codex app-server generate-json-schema` of `version` into a temporary folder. */
export async function generateSchema(version: string): Promise<string> {
  const bin = await ensureCodexVersion(version);
  const dir = await Deno.makeTempDir({ prefix: `lifeline-schema-${version}-` });
  const out = await new Deno.Command(bin, {
    args: ["app-server", "generate-json-schema", "--out", dir],
    env: { CODEX_HOME: dir, HOME: dir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot generate the app-server schema of Codex "${version}": ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return dir;
}

if (import.meta.main) {
  for (const version of Deno.args) {
    const dir = await generateSchema(version);
    const slice = await sliceSchema(dir, version);
    await Deno.mkdir(join(slicePath(version), ".."), { recursive: true });
    await Deno.writeTextFile(slicePath(version), JSON.stringify(slice, null, 2) + "\n");
    await Deno.remove(dir, { recursive: true });
  }
}
