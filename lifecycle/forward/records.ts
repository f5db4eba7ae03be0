/**
 * The outbox records of one applied observation, for every configured
 * target. Pure: the store writes them in the same transaction as the
 * observation, and `flush.ts` sends them later. The store receives the
 * mapping as a {@link Forwarding} instead of importing it, so that a hook
 * without forwarding targets never loads it.
 *
 * @module
 */

import type { Changes, Observation, SessionRow, TurnRow, TurnTokens } from "../model.ts";
import type { ForwardConfig } from "./config.ts";
import { neotomaRecords } from "./neotoma.ts";
import { otlpRecords } from "./otlp.ts";

/** One record for the outbox. */
export interface OutboxRecord {
  target: "neotoma" | "otlp_span" | "otlp_log";
  /** Unique per target: the idempotency key (Neotoma) or the span/log id (OTLP). */
  key: string;
  body: unknown;
}

/** What a target's mapping reads. */
export interface RecordInput {
  obs: Observation;
  changes: Changes;
  /** A turn as it was before the observation (to tell when it ended). */
  before: (turnId: string) => TurnRow | undefined;
  /** The session after the observation. */
  session: SessionRow | undefined;
  /** A turn's tokens so far, this observation included; `undefined` when Codex reported none. */
  tokens: (turnId: string) => TurnTokens | undefined;
  /** When the session's PreToolUse of a tool call (by its `tool_use_id`) was recorded, if it was. */
  toolStartedAt: (toolUseId: string) => string | undefined;
}

/** The outbox records of one applied observation. */
export function outboxRecords(
  obs: Observation,
  changes: Changes,
  before: (turnId: string) => TurnRow | undefined,
  session: SessionRow | undefined,
  config: ForwardConfig,
  tokens: (turnId: string) => TurnTokens | undefined = () => undefined,
  toolStartedAt: (toolUseId: string) => string | undefined = () => undefined,
): OutboxRecord[] {
  const input: RecordInput = { obs, changes, before, session, tokens, toolStartedAt };
  return [
    ...(config.neotoma ? neotomaRecords(input) : []),
    ...(config.otlp ? otlpRecords(input) : []),
  ];
}

/** What the store needs to write the outbox: the targets and their mapping. */
export interface Forwarding {
  config: ForwardConfig;
  records: typeof outboxRecords;
}

/** The {@link Forwarding} of a configuration. */
export function forwarding(config: ForwardConfig): Forwarding {
  return { config, records: outboxRecords };
}
