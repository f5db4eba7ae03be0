/**
 * The MCP server's names and limits, with no dependency, for the installer
 * and `doctor` (which must not load the SDK to know them).
 *
 * @module
 */

/** The server's name in `initialize`. */
export const SERVER_NAME = "lifeline";

/** The tool names, in the order `tools/list` gives them. */
export const TOOL_NAMES = [
  "whoami",
  "list_sessions",
  "get_session",
  "send_message",
  "ask_session",
  "get_message",
  "reply",
  "spawn_session",
] as const;

/** The longest an ask may wait, in seconds (Codex's tool timeout must be longer). */
export const MAX_ASK_SECONDS = 600;
