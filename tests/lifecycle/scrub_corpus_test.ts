import assert from "node:assert/strict";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { secretSamples } from "./_scrub_samples.ts";
import { benignTexts } from "./_scrub_benign_corpus.ts";

const s = makeScrubber("scrubbed", "/home/ann");

Deno.test("corpus: at most 2% of secrets survive, at most 2% of ordinary text changes", () => {
  const samples = secretSamples();
  const kinds = new Set(samples.map((x) => x.kind));
  const benign = benignTexts();
  assert.ok(samples.length >= 150 && kinds.size >= 40 && benign.length >= 100, "the corpus is too small");
  const leaked = samples.filter((x) => {
    const out = s.text(x.text)!;
    return x.needles.some((n) => out.includes(n));
  });
  const changed = benign.filter((t) => s.text(t) !== t);
  const recall = 1 - leaked.length / samples.length;
  const fp = changed.length / benign.length;
  // deno-lint-ignore no-console
  console.log(
    `scrub corpus: ${samples.length} secrets of ${kinds.size} kinds, recall ${(recall * 100).toFixed(1)}%; ` +
      `${benign.length} ordinary texts, ${(fp * 100).toFixed(1)}% changed`,
  );
  // deno-lint-ignore no-console
  for (const x of leaked) console.log(`  leaked ${x.kind}/${x.context}: ${JSON.stringify(s.text(x.text))}`);
  // deno-lint-ignore no-console
  for (const t of changed) console.log(`  changed: ${JSON.stringify(t)} -> ${JSON.stringify(s.text(t))}`);
  assert.ok(leaked.length <= samples.length * 0.02, `${leaked.length} secrets stored in clear`);
  assert.ok(changed.length <= benign.length * 0.02, `${changed.length} ordinary texts changed`);
});

Deno.test("corpus: a second seed, never tuned against, meets the same bounds", () => {
  const samples = secretSamples(1601);
  const leaked = samples.filter((x) => x.needles.some((n) => s.text(x.text)!.includes(n)));
  // deno-lint-ignore no-console
  console.log(`scrub corpus (seed 1601): ${leaked.length} of ${samples.length} secrets leaked`);
  assert.ok(leaked.length <= samples.length * 0.02, leaked.map((x) => `${x.kind}/${x.context}`).join(", "));
});
