/**
 * Property: for random schedules of sidecar drops and reconnects, messages
 * (notify and ask) and hook delivery points, against the real hub and real
 * WebSockets, no message is delivered twice, none accepted (200 or 202) is
 * lost, and no refused ask (503) is ever delivered.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { startHub } from "../../hub/server.ts";
import type { Observation } from "../../lifecycle/model.ts";
import { idempotencyKey } from "../../lifecycle/keys.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { sandbox } from "../harness/hook_process.ts";
import { connectSidecar, type TestSidecar } from "./_client.ts";

type Cmd = { k: "connect" } | { k: "drop" } | { k: "notify" } | { k: "ask" } | { k: "hook" };
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.constant({ k: "connect" as const }),
  fc.constant({ k: "drop" as const }),
  fc.constant({ k: "notify" as const }),
  fc.constant({ k: "ask" as const }),
  fc.constant({ k: "hook" as const }),
);

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "property: no message is delivered twice and none accepted is lost, whatever the drops",
  fn: async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 14 }), async (cmds) => {
        const sb = await sandbox();
        const hub = startHub({
          stateDir: sb.stateDir,
          port: 0,
          ackTimeoutMs: 1000,
          pingMs: 60_000,
          queueCap: 1000,
        });
        const sid = "prop";
        let side: TestSidecar | undefined;
        let turn = 0;
        const accepted = new Set<string>();
        const refused = new Set<string>();
        const delivered: string[] = [];
        const hook = () => {
          const st = Store.open(sb.stateDir);
          const payload = {
            session_id: sid,
            turn_id: `t${++turn}`,
            cwd: "/",
            hook_event_name: "UserPromptSubmit",
            prompt: "p",
          };
          const o: Observation = {
            key: idempotencyKey("UserPromptSubmit", payload),
            event: "UserPromptSubmit",
            session_id: sid,
            turn_id: payload.turn_id,
            observed_at: new Date().toISOString(),
            payload,
            pid: null,
            failure: null,
            blocked: false,
            hint_threshold: 0,
          };
          delivered.push(...st.recordAndClaim(o, undefined, true).delivered.map((d) => d.id));
          st.close();
        };
        const connect = async () => {
          if (side) return;
          side = connectSidecar(hub.url, hub.token, sid, sb.stateDir);
          await side.welcomed;
          // let the queue replay finish
          for (let i = 0; i < 50; i++) {
            const st = Store.open(sb.stateDir);
            const left = st.queued(sid, new Date().toISOString()).length;
            st.close();
            if (left === 0) break;
            await settle(20);
          }
        };
        try {
          hook(); // the session exists
          for (const c of cmds) {
            if (c.k === "connect") await connect();
            else if (c.k === "drop" && side) {
              side.close();
              await side.closed;
              side = undefined;
              await settle();
            } else if (c.k === "notify" || c.k === "ask") {
              const r = await fetch(`${hub.url}/sessions/${sid}/messages`, {
                method: "POST",
                headers: { authorization: `Bearer ${hub.token}` },
                body: JSON.stringify({ kind: c.k, text: `${c.k} ${accepted.size + refused.size}` }),
              });
              const body = await r.json();
              if (r.status === 200 || r.status === 202) accepted.add(body.id);
              else {
                assert.equal(r.status, 503);
                assert.equal(c.k, "ask", "only an ask is ever refused");
                refused.add(`refused-${refused.size}`);
              }
            } else if (c.k === "hook") hook();
          }
          await connect();
          hook();
          assert.equal(new Set(delivered).size, delivered.length, `delivered twice: ${delivered}`);
          assert.deepEqual(
            [...accepted].filter((id) => !delivered.includes(id)),
            [],
            "accepted but never delivered",
          );
          assert.ok(delivered.every((id) => accepted.has(id)), "only accepted messages are delivered");
        } finally {
          side?.close();
          if (side) await side.closed;
          await hub.close();
          await sb.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  },
});
