import assert from "node:assert/strict";
import { unifiedDiff } from "../../installer/diff.ts";

Deno.test("unified diff: new file, deleted file, a change with context, equal texts", () => {
  assert.equal(
    unifiedDiff("", "a\nb\n", "/dev/null", "f"),
    "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+a\n+b\n",
  );
  assert.equal(unifiedDiff("a\n", "", "f", "/dev/null"), "--- f\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n");
  const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n") + "\n";
  const b = a.replace("l10\n", "L10\n");
  assert.equal(
    unifiedDiff(a, b, "x", "y"),
    "--- x\n+++ y\n@@ -8,7 +8,7 @@\n l7\n l8\n l9\n-l10\n+L10\n l11\n l12\n l13\n",
  );
  assert.equal(unifiedDiff(a, a, "x", "y"), "");
  assert.match(unifiedDiff("a", "a\n", "x", "y"), /only the final newline differs/);
});
