/**
 * Installs lifeline's real hooks (the commands the installer writes) into a
 * temporary Codex home with trust entries, for end-to-end runs of the real
 * Codex CLI.
 *
 * @module
 */

import { join } from "node:path";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import type { HooksFile } from "../../codex/hooks_json.ts";
import { tomlBasicString, type TrustEntry, trustEntry, trustToml } from "../../codex/trust.ts";
import { type HandlerPlaces, HOOK_TIMEOUTS, hookCommand, notifyArgv } from "../../hooks/handlers.ts";
import { type MockReply, startMockResponses } from "./mock_responses.ts";
import { type ExecResult, runCodexExec, writeOfflineConfig } from "./codex_cli.ts";

/** Writes hooks.json, trust entries and notify for lifeline into `p.codexHome`. */
export async function installLifelineForTest(
  p: HandlerPlaces,
  mockUrl: string,
  events: readonly HookEventName[] = HOOK_EVENTS,
): Promise<void> {
  const hooksPath = join(p.codexHome, "hooks.json");
  const file: HooksFile = { hooks: {} };
  const trust: TrustEntry[] = [];
  for (const event of events) {
    const handler = { type: "command", command: hookCommand(event, p), timeout: HOOK_TIMEOUTS[event] };
    file.hooks![event] = [{ hooks: [handler] }];
    trust.push(trustEntry(hooksPath, event, 0, 0, {}, handler));
  }
  await Deno.mkdir(p.codexHome, { recursive: true });
  await Deno.writeTextFile(hooksPath, JSON.stringify(file, null, 2) + "\n");
  await writeOfflineConfig(
    p.codexHome,
    mockUrl,
    `notify = [${notifyArgv(p).map(tomlBasicString).join(", ")}]\n${trustToml(trust)}\n`,
  );
}

/** Runs one prompt with the real Codex and lifeline installed. */
export async function runWithLifeline(
  p: HandlerPlaces & { home: string },
  replies: MockReply[],
  opts: { prompt?: string; events?: readonly HookEventName[]; interruptAfterRequests?: number } = {},
): Promise<ExecResult> {
  const mock = startMockResponses(replies);
  try {
    await installLifelineForTest(p, mock.url, opts.events);
    const workspace = join(p.home, "ws");
    await Deno.mkdir(workspace, { recursive: true });
    const interruptWhen = opts.interruptAfterRequests
      ? mock.waitForRequests(opts.interruptAfterRequests).then(() => new Promise((r) => setTimeout(r, 1500)))
      : undefined;
    return await runCodexExec({
      codexHome: p.codexHome,
      prompt: opts.prompt ?? "hi",
      cwd: workspace,
      env: { HOME: p.home },
      ...(interruptWhen ? { interruptWhen } : {}),
    });
  } finally {
    await mock.close();
  }
}
