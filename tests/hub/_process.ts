/** Hub processes for tests (optionally under a low open-file limit), and raw HTTP on loopback. */

export interface HubProcess {
  child: Deno.ChildProcess;
  url: string;
  port: number;
  /** Everything the hub wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit status; stays pending while the hub runs. */
  exited: Promise<Deno.CommandStatus>;
  stop(): Promise<void>;
}

/**
 * Starts `args` (a script and its arguments for `deno run -A`) under `ulimit -n <fdLimit>` and waits
 * for the line that names its URL (`listening <url>` or `lifeline hub on <url> …`).
 */
export async function spawnHub(
  args: string[],
  o: { fdLimit?: number; env?: Record<string, string> } = {},
): Promise<HubProcess> {
  const limit = o.fdLimit ? `ulimit -n ${o.fdLimit} && ` : "";
  const child = new Deno.Command("sh", {
    args: ["-c", `${limit}exec "$0" "$@"`, Deno.execPath(), "run", "-A", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(o.env ? { env: o.env } : {}),
  }).spawn();
  let err = "";
  (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) err += chunk;
  })();
  const exited = child.status;
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let url: string | undefined;
  while (url === undefined) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the hub process exited before it listened: ${err}`);
    out += value;
    url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return {
    child,
    url,
    port: Number(new URL(url).port),
    stderr: () => err,
    exited,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await exited;
    },
  };
}

/** Sends `request` (raw bytes: request line, headers, body) and returns the whole answer as text. */
export async function rawHttp(port: number, request: string | Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(typeof request === "string" ? new TextEncoder().encode(request) : request);
    let out = "";
    const buf = new Uint8Array(65_536);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      out += new TextDecoder().decode(buf.subarray(0, n));
      // One answer is enough: stop at the end of its body when the length is known.
      const head = out.indexOf("\r\n\r\n");
      const len = /content-length: (\d+)/i.exec(out.slice(0, head))?.[1];
      if (head >= 0 && len !== undefined && out.length >= head + 4 + Number(len)) break;
    }
    return out;
  } finally {
    try {
      conn.close();
    } catch { /* closed by the peer */ }
  }
}

/** Polls `cond` until it holds; fails naming `what` after `ms`. */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
