/**
 * Tokens per turn, read from the journal: Codex 0.169+ reports each model
 * request's `token_usage` in its PostModelRequest payload, and a turn's
 * tokens are their sums. Derived at read time, so no table holds them.
 *
 * @module
 */

import type { TurnTokens } from "../model.ts";
import type { Db, Row } from "./db.ts";

export type { TurnTokens };

/**
 * Tokens per turn of one session, by turn id: the sums of the
 * `PostModelRequest.token_usage` journaled for it. Turns without
 * model-request hooks are absent.
 */
export function turnTokens(db: Db, sessionId: string): Map<string, TurnTokens> {
  const f = (k: string) => `coalesce(sum(json_extract(body, '$.payload.token_usage.${k}')), 0)`;
  const rows = db.stmt(
    `SELECT json_extract(body, '$.turn_id') AS turn, ${f("input_tokens")} AS input,
       ${f("cached_input_tokens")} AS cached_input, ${f("output_tokens")} AS output,
       ${f("reasoning_output_tokens")} AS reasoning, ${f("total_tokens")} AS total
     FROM events WHERE session_id = ? AND event = 'PostModelRequest'
       AND json_type(body, '$.payload.token_usage') = 'object' GROUP BY turn`,
  ).all(sessionId) as Row[];
  return new Map(
    rows.filter((r) => typeof r.turn === "string").map((r) => [r.turn as string, {
      input: Number(r.input),
      cached_input: Number(r.cached_input),
      output: Number(r.output),
      reasoning: Number(r.reasoning),
      total: Number(r.total),
    }]),
  );
}
