/**
 * The `PreModelRequest` hook: Codex runs it with the payload on stdin. See `hooks/_runner.ts`.
 *
 * @module
 */

import { runHook } from "./_runner.ts";

if (import.meta.main) await runHook("PreModelRequest");
