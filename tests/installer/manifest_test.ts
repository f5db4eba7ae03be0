/**
 * The install manifest is an input like any other: a manifest install wrote
 * reads back as itself; a missing or ill-typed field is named; a file that is
 * not JSON says where.
 */
import assert from "node:assert/strict";
import { HOOK_EVENTS } from "../../codex/events.ts";
import { ContractError } from "../../codex/json.ts";
import { profileFor } from "../../codex/profiles.ts";
import { InstallerError } from "../../installer/errors.ts";
import { manifestText, readManifest, validateManifest } from "../../installer/manifest.ts";
import { planInstall } from "../../installer/plan.ts";

const PLACES = { deno: "/d/deno", root: "/opt/lifeline", stateDir: "/s", codexHome: "/c" };
const plan = planInstall(
  { path: "/c/config.toml", text: 'notify = ["x"]\n' },
  {
    path: "/c/hooks.json",
    text: undefined,
  },
  undefined,
  { places: PLACES, events: HOOK_EVENTS, profile: profileFor("0.169"), now: new Date(0) },
);
const manifest = plan.manifest!;

// The cases break the manifest on purpose, so they write its fields without their types.
// deno-lint-ignore no-explicit-any
type Loose = Record<string, any>;

const fsWith = (text: string | undefined) => ({ read: () => text });

Deno.test("a manifest install wrote reads back as itself", () => {
  assert.deepEqual(readManifest(fsWith(manifestText(manifest)), "/s/install-manifest.json"), manifest);
  assert.equal(readManifest(fsWith(undefined), "/s/install-manifest.json"), undefined);
});

Deno.test("each broken field is named, with what was wrong", () => {
  const broken = (edit: (m: Loose) => void) => {
    const m = structuredClone(manifest) as unknown as Loose;
    edit(m);
    return m;
  };
  const cases: [(m: Loose) => void, string, RegExp][] = [
    [(m) => delete m.trust_keys, "trust_keys", /is missing/],
    [(m) => (m.version = 2), "version", /must be 1/],
    [(m) => (m.handlers[3].group = "0"), "handlers[3].group", /must be an index/],
    [(m) => (m.handlers[0].event = "stop"), "handlers[0].event", /must be a Codex hook event/],
    [(m) => (m.files.config_toml.original = 7), "files.config_toml.original", /must be a string, got number/],
    [
      (m) => (m.notify.previous_form = "list"),
      "notify.previous_form",
      /must be one of "array", "table", "string"/,
    ],
    [(m) => (m.notify.argv = "deno"), "notify.argv", /must be an array, got string/],
    [(m) => (m.features.migrated = true), "features.migrated", /must be an object with a value, or null/],
    [(m) => (m.history = null), "history", /must be an object, got null/],
  ];
  for (const [edit, field, problem] of cases) {
    assert.throws(
      () => validateManifest(broken(edit)),
      (e) => e instanceof ContractError && e.field === field && problem.test(e.message),
      field,
    );
  }
});

Deno.test("a corrupt manifest file is an installer error that names the file, the place and the way out", () => {
  const path = "/s/install-manifest.json";
  assert.throws(
    () => readManifest(fsWith('{"version": 1,\n  "handlers": [}'), path),
    (e) =>
      e instanceof InstallerError && e.exitCode === 1 &&
      e.message.startsWith(`Cannot parse the install manifest "${path}": invalid JSON at 2:16: `) &&
      e.message.includes("config.toml.lifeline.bak next to Codex's config holds your original"),
  );
  assert.throws(
    () => readManifest(fsWith("[]"), path),
    (e) =>
      e instanceof InstallerError &&
      e.message.startsWith(
        `Cannot parse the install manifest "${path}": it is not a JSON object (got array)`,
      ),
  );
});
