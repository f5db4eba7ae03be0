/**
 * A hub in a process of its own, for tests that must be able to crash it or starve it of file
 * descriptors: `deno run -A _hub_process.ts '<HubOptions as JSON>'` prints `listening <url>` on
 * stdout, logs like `deno task hub` on stderr, and stops on SIGTERM.
 */
import { startHub } from "../../hub/server.ts";

if (import.meta.main) {
  const opts = JSON.parse(Deno.args[0] ?? "{}");
  const enc = new TextEncoder();
  const hub = startHub({ ...opts, log: (l: string) => Deno.stderr.writeSync(enc.encode(l + "\n")) });
  Deno.stdout.writeSync(enc.encode(`listening ${hub.url}\n`));
  Deno.addSignalListener("SIGTERM", async () => {
    await hub.close();
    Deno.exit(0);
  });
}
