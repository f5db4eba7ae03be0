/**
 * The floor of a hook that uses the store: a `deno run` script that reads stdin
 * as the hooks do, opens a SQLite file in WAL mode with `node:sqlite`, inserts
 * one row in a `BEGIN IMMEDIATE` transaction and exits. Importing `node:sqlite`
 * makes Deno load its Node compatibility scripts, which are not in its
 * start-up snapshot; that alone is most of the distance between this and the
 * bare script.
 *
 * `deno run --allow-read=DIR --allow-write=DIR bench/_floor.ts DIR`
 *
 * The stdin loop is `_bare.ts`'s, copied rather than imported: an import would add a module load
 * to what both scripts exist to measure.
 */
if (import.meta.main) {
  const buf = new Uint8Array(1 << 16);
  const chunks: Uint8Array[] = [];
  for (;;) {
    const n = Deno.stdin.readSync(buf);
    if (n === null || n === 0) break;
    chunks.push(buf.slice(0, n));
  }
  const text = new TextDecoder().decode(chunks[0] ?? new Uint8Array());
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(`${Deno.args[0]}/floor.sqlite`);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS events (body TEXT NOT NULL)");
  db.exec("BEGIN IMMEDIATE");
  db.prepare("INSERT INTO events (body) VALUES (?)").run(text);
  db.exec("COMMIT");
}
