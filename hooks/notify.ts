/**
 * The legacy `notify` program: Codex passes the payload as the last argument (stdin and stdout are /dev/null) after a normally completed turn, and does not wait. With `--chain=<json argv>` it runs the user's previous notify program afterwards with the same payload.
 *
 * @module
 */

import { runHook } from "./_runner.ts";

if (import.meta.main) await runHook("Notify");
