/**
 * The CI subset of `deno task e2e:versions`: the newest release (0.171.0), the first with
 * SessionEnd (0.145.0) and the first with the `hooks` feature key (0.130.0), each installed
 * from npm (removed afterwards unless it was already in the cache), every check of its profile.
 */
import assert from "node:assert/strict";
import { CI_RELEASES, runRelease } from "./main.ts";

for (const version of CI_RELEASES) {
  Deno.test(`real codex ${version}: what it fires and what lifeline records match its profile`, async () => {
    const run = await runRelease(version);
    const failed = Object.entries(run.cells).filter(([, c]) => c.status === "fail");
    assert.deepEqual(failed, [], `Codex ${version}: ${JSON.stringify(failed)}`);
    assert.equal(run.cells["exit_3"].status, "pass");
    assert.equal(run.cells.interrupted.status, "pass");
    assert.equal(run.cells["session end"].status, "pass");
  });
}
