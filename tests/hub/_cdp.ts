/**
 * Headless Chromium driven over the DevTools protocol, for the page tests: open a page, evaluate
 * script in it, wait for a condition, take a screenshot. Debian's `/usr/bin/chromium`; loopback only.
 */

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

export interface Browser {
  /** Evaluates `expression` in the page (promises awaited) and returns its value. */
  eval<T = unknown>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy; fails naming `what` after `ms`. */
  waitFor(what: string, expression: string, ms?: number): Promise<void>;
  /** Writes a PNG screenshot of the page to `path`. */
  screenshot(path: string): Promise<void>;
  /** Console messages and uncaught exceptions of the page. */
  errors: string[];
  close(): Promise<void>;
}

/** Starts Chromium, opens `url` in a new tab, and returns a handle on it. */
export async function openPage(url: string, size = { width: 1200, height: 800 }): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "lifeline-chromium-" });
  const child = new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--window-size=${size.width},${size.height}`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let err = "";
  let endpoint: string | undefined;
  while (!endpoint) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`chromium exited before it listened: ${err}`);
    err += value;
    endpoint = /DevTools listening on (ws:\/\/\S+)/.exec(err)?.[1];
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  const ws = new WebSocket(endpoint);
  await new Promise((r, j) => {
    ws.onopen = r;
    ws.onerror = j;
  });
  let next = 1;
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  const errors: string[] = [];
  ws.onmessage = (ev) => {
    const m = JSON.parse(String(ev.data));
    if (m.id && waiting.has(m.id)) {
      waiting.get(m.id)!(m);
      waiting.delete(m.id);
    } else if (m.method === "Runtime.exceptionThrown") {
      errors.push(JSON.stringify(m.params.exceptionDetails.exception?.description ?? m.params));
    } else if (m.method === "Runtime.consoleAPICalled" && m.params.type === "error") {
      errors.push(m.params.args.map((a: { value?: unknown }) => String(a.value)).join(" "));
    }
  };
  const send = (method: string, params: unknown = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = next++;
      waiting.set(
        id,
        (m) => m.error ? reject(new Error(`${method}: ${JSON.stringify(m.error)}`)) : resolve(m),
      );
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { result: t } = await send("Target.createTarget", { url: "about:blank" }) as {
    result: { targetId: string };
  };
  const { result: a } = await send("Target.attachToTarget", { targetId: t.targetId, flatten: true }) as {
    result: { sessionId: string };
  };
  const sid = a.sessionId;
  await send("Runtime.enable", {}, sid);
  await send("Page.enable", {}, sid);
  await send("Emulation.setDeviceMetricsOverride", { ...size, deviceScaleFactor: 1, mobile: false }, sid);
  await send("Page.navigate", { url }, sid);

  const evaluate = async <T>(expression: string): Promise<T> => {
    const m = await send(
      "Runtime.evaluate",
      { expression, awaitPromise: true, returnByValue: true },
      sid,
    ) as {
      result: {
        result: { value: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      };
    };
    if (m.result.exceptionDetails) {
      const d = m.result.exceptionDetails;
      throw new Error(`in the page: ${d.exception?.description ?? d.text}`);
    }
    return m.result.result.value;
  };
  return {
    errors,
    eval: evaluate,
    async waitFor(what, expression, ms = 15_000) {
      const t0 = Date.now();
      while (!(await evaluate<boolean>(`!!(${expression})`).catch(() => false))) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting in the page for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async screenshot(path) {
      const m = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, sid) as {
        result: { data: string };
      };
      const bin = atob(m.result.data);
      await Deno.writeFile(path, Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    },
    async close() {
      try {
        await send("Browser.close");
      } catch { /* already gone */ }
      ws.close();
      const late = setTimeout(() => child.kill("SIGKILL"), 5000);
      await child.status;
      clearTimeout(late);
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
