/**
 * The MCP server's client of the hub's HTTP API (messages, asks, replies,
 * spawning, sessions). Every call finds the hub afresh in the state dir
 * (`hub.json`, `hub.token`), so a hub started, stopped or restarted while the
 * server runs is seen at the next call, and a dead hub is reported per call.
 *
 * @module
 */

import { readHubInfo, readHubToken } from "../sidecar_files.ts";

/** Why a call did not reach the hub or the hub refused it: the text is what the agent reads. */
export class HubCallError extends Error {
  /** `no_hub`: nothing answers; otherwise the HTTP status. */
  readonly kind: "no_hub" | number;
  /** The closest session ids the hub named (unknown or ambiguous id). */
  readonly candidates: string[];
  constructor(kind: "no_hub" | number, message: string, candidates: string[] = []) {
    super(message);
    this.kind = kind;
    this.candidates = candidates;
  }
}

/** How to start a hub, for every "no hub" error. */
export const START_HUB = "start it with `lifeline hub` (or `deno task hub` in a lifeline checkout)";

/** What the client needs: the state dir and a fetch (tests may pass their own). */
export interface HubClientOptions {
  stateDir: string;
  fetch?: typeof fetch;
}

/** A client of the hub's API. */
export interface HubClient {
  /** Whether a hub is recorded in the state dir and answers `/healthz`. */
  up(): Promise<boolean>;
  get(path: string): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
}

/** A client that reads `hub.json` and `hub.token` from `stateDir` at every call. */
export function hubClient(o: HubClientOptions): HubClient {
  const f = o.fetch ?? fetch;
  const call = async (method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> => {
    const info = readHubInfo(o.stateDir);
    if (!info) {
      throw new HubCallError("no_hub", `No lifeline hub is running for "${o.stateDir}": ${START_HUB}`);
    }
    const token = readHubToken(o.stateDir) ?? "";
    let res: Response;
    try {
      res = await f(`${info.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new HubCallError(
        "no_hub",
        `The lifeline hub recorded at ${info.url} (pid ${info.pid}) does not answer ` +
          `(${(e as Error).message.split("\n")[0]}): ${START_HUB}`,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      throw new HubCallError(res.status, `The hub answered ${method} ${path} with ${res.status} and no JSON`);
    }
    if (!res.ok) {
      const b = (json ?? {}) as { error?: unknown; candidates?: unknown };
      const candidates = Array.isArray(b.candidates) ? b.candidates.map(String) : [];
      const msg = typeof b.error === "string" ? b.error : `${method} ${path} failed with ${res.status}`;
      throw new HubCallError(res.status, msg, candidates);
    }
    return json;
  };
  return {
    async up() {
      try {
        await call("GET", "/healthz");
        return true;
      } catch {
        return false;
      }
    },
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
  };
}
