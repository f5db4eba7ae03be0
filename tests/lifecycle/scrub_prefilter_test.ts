/**
 * The scrubber's prefilters: a stage skipped because its `needs` test fails
 * must be a stage that would have left the text unchanged. Checked on the
 * corpus (every stage, on the text as the earlier stages left it) and on
 * random text built from the fragments the rules look for.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { SCRUB_STAGES, scrubSecrets } from "../../lifecycle/scrub.ts";
import { secretSamples } from "./_scrub_samples.ts";
import { benignTexts } from "./_scrub_benign_corpus.ts";

/** Runs every stage unfiltered, asserting at each skipped one that it would change nothing. */
function checkedPass(text: string, where: string): string {
  let out = text;
  for (const st of SCRUB_STAGES) {
    const next = st.apply(out);
    if (st.needs && !st.needs(out)) {
      assert.equal(next, out, `${where}: stage "${st.name}" was skipped but changes ${JSON.stringify(out)}`);
    }
    assert.equal(st.run(out), next, `${where}: stage "${st.name}" runs differently behind its prefilter`);
    out = next;
  }
  return out;
}

Deno.test("prefilters skip only stages that change nothing, on every corpus text", () => {
  const texts = [...secretSamples().map((x) => x.text), ...secretSamples(1601).map((x) => x.text)];
  texts.push(...benignTexts());
  let skipped = 0;
  for (const [i, t] of texts.entries()) {
    let out = t;
    for (let pass = 0; pass < 4; pass++) {
      const next = checkedPass(out, `corpus text ${i}`);
      if (next === out) break;
      out = next;
    }
    assert.equal(out, scrubSecrets(t), `corpus text ${i}: filtered and unfiltered scrubbing differ`);
    skipped += SCRUB_STAGES.filter((st) => st.needs && !st.needs(t)).length;
  }
  // The prefilters must actually skip work on ordinary text, or they are not worth having.
  assert.ok(skipped > texts.length * 5, `only ${skipped} stages skipped over ${texts.length} texts`);
});

const FRAGMENTS = [
  "sk-",
  "sk_live_",
  "ghp_",
  "xoxb-",
  "AKIA",
  "ASIA",
  "1//0",
  "Q~",
  "eyJ",
  "AAAA",
  "AC",
  "SK",
  "twilio",
  "LTAI",
  "oauth:",
  ":AA",
  ".",
  "~",
  "_",
  "-",
  "+",
  "(",
  ")",
  " ",
  "\n",
  "\t",
  "@",
  ":",
  "=",
  "/",
  "://",
  '"',
  "'",
  "0",
  "12",
  "555",
  "4111",
  "abc",
  "ABC",
  "f3",
  "x9Z",
  "BEGIN",
  "PRIVATE KEY",
  "Bearer ",
  "Basic ",
  "Authorization: ",
  "password",
  "token",
  "Secret",
  "kind: Secret\ndata:\n  a: ",
  "example.com",
  "hooks.slack.com/services/",
  "access_key",
  "session_token",
  "--password ",
  "config set ",
  "value=",
  "</",
  "echo $TOKEN\n",
  '"type": "password", "value": "',
  "<AWS_KEY>",
];
const fragment = fc.oneof(
  fc.constantFrom(...FRAGMENTS),
  // Token-shaped runs just short of the ten characters the token stages need.
  fc.stringMatching(/^[A-Za-z0-9_-]{1,9}$/),
);

Deno.test("prefilters skip only stages that change nothing, on random text of rule fragments", () => {
  fc.assert(
    fc.property(fc.array(fragment, { maxLength: 40 }), (parts) => {
      const text = parts.join("");
      checkedPass(text, "random text");
    }),
    { numRuns: 3000 },
  );
});
