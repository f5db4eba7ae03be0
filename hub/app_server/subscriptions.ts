/**
 * When the bridge subscribes to a thread, and when it lets go.
 *
 * The daemon keeps a thread loaded while any connection is subscribed to it
 * and unloads it (SessionEnd, `thread/closed`) 60 s after the last one
 * leaves; a bridge that stayed subscribed would keep every session alive
 * after its TUI quit. So the bridge holds a subscription only while a turn
 * runs: it subscribes (`thread/resume`) when the thread turns active and
 * unsubscribes when the turn is over (after `turn/completed`, which the
 * daemon sends just after the idle status, or after a grace period).
 * Between turns it hears `thread/status/changed` and `thread/closed`, which
 * reach every connection.
 *
 * @module
 */

import { threadResumeRequest, threadUnsubscribeRequest } from "../../codex/app_server/requests.ts";
import type { AppServerClient } from "./client.ts";

/** How long after the idle status to wait for `turn/completed` before unsubscribing. */
export const UNSUBSCRIBE_GRACE_MS = 2000;

/** The subscriptions of one connection. */
export class Subscriptions {
  readonly #subscribed = new Set<string>();
  /** Threads whose turn has completed since they last turned active. */
  readonly #completed = new Set<string>();
  /** Threads idle but waiting for their `turn/completed`. */
  readonly #pending = new Set<string>();

  constructor(
    readonly client: AppServerClient,
    readonly sleep: (ms: number) => Promise<void>,
    readonly log: (line: string) => void,
  ) {}

  /** Whether this connection is subscribed to the thread. */
  has(threadId: string): boolean {
    return this.#subscribed.has(threadId);
  }

  /** The thread turned active: subscribe. Resolves `true` when it newly subscribed. */
  async active(threadId: string): Promise<boolean> {
    this.#completed.delete(threadId);
    this.#pending.delete(threadId);
    if (this.#subscribed.has(threadId)) return false;
    this.#subscribed.add(threadId);
    const req = threadResumeRequest(threadId);
    try {
      await this.client.request(req.method, req.params);
      return true;
    } catch (e) {
      this.#subscribed.delete(threadId);
      this.log(`Cannot subscribe to thread "${threadId}": ${(e as Error).message}`);
      return false;
    }
  }

  /** The thread went idle: let go once its turn has completed. */
  idle(threadId: string): void {
    if (!this.#subscribed.has(threadId)) return;
    if (this.#completed.has(threadId)) return this.#release(threadId);
    this.#pending.add(threadId);
    this.sleep(UNSUBSCRIBE_GRACE_MS).then(() => {
      if (this.#pending.has(threadId)) this.#release(threadId);
    });
  }

  /** A `turn/completed` arrived for the thread. */
  turnCompleted(threadId: string): void {
    this.#completed.add(threadId);
    if (this.#pending.has(threadId)) this.#release(threadId);
  }

  /** The thread is gone. */
  closed(threadId: string): void {
    this.#subscribed.delete(threadId);
    this.#pending.delete(threadId);
    this.#completed.delete(threadId);
  }

  #release(threadId: string): void {
    this.#pending.delete(threadId);
    this.#subscribed.delete(threadId);
    const req = threadUnsubscribeRequest(threadId);
    this.client.request(req.method, req.params).catch((e) =>
      this.log(`Cannot unsubscribe from thread "${threadId}": ${(e as Error).message}`)
    );
  }
}
