/**
 * How a lifeline message reads to Codex: a message from its sender, framed as
 * `<lifeline-message from="…" kind="notify|ask">…</lifeline-message>`, never
 * as a hook failure. The sender and the text are escaped, so no text can
 * close the frame early or forge another sender.
 *
 * @module
 */

/** The kinds of lifeline message. */
export type MessageKind = "notify" | "ask";

/** Who sent a message and what it asks for. */
export interface MessageMeta {
  /** A person or agent name; `"lifeline"` when not given. */
  from?: string;
  kind: MessageKind;
  /** The message's id in the hub (`GET /messages/:id`). */
  id?: string;
}

/** The line an ask adds: how the receiver answers. */
export const ASK_LINE =
  "This is a question: answer it in your final message of this turn (or with lifeline's MCP reply tool).";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes text for an XML attribute or element body. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** The framed text handed to Codex. */
export function frameMessage(text: string, meta: MessageMeta): string {
  if (meta.kind !== "notify" && meta.kind !== "ask") {
    throw new TypeError(`Cannot frame a message: kind "${String(meta.kind)}" is not "notify" or "ask"`);
  }
  const from = escapeXml(meta.from?.trim() || "lifeline");
  const id = meta.id ? ` id="${escapeXml(meta.id)}"` : "";
  const ask = meta.kind === "ask" ? `\n${ASK_LINE}` : "";
  return `<lifeline-message from="${from}" kind="${meta.kind}"${id}>${
    escapeXml(text)
  }</lifeline-message>${ask}`;
}
