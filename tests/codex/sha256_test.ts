import assert from "node:assert/strict";
import fc from "fast-check";
import { sha256Hex } from "../../codex/sha256.ts";

async function reference(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("sha256 known answers", () => {
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

Deno.test("property: sha256 equals WebCrypto for any bytes, across block boundaries", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (u) => {
      const bytes = new Uint8Array(u);
      assert.equal(sha256Hex(bytes), await reference(bytes));
    }),
    { numRuns: 300 },
  );
  for (const n of [55, 56, 63, 64, 65, 119, 120, 1_000_003]) {
    const b = new Uint8Array(n).map((_, i) => i * 7);
    assert.equal(sha256Hex(b), await reference(b), `length ${n}`);
  }
});
