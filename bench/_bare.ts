/**
 * The baseline: a `deno run` script that only reads stdin, the same way the
 * hooks do (synchronously; the stream API alone costs ~3.5 ms more).
 */
if (import.meta.main) {
  const buf = new Uint8Array(1 << 16);
  const chunks: Uint8Array[] = [];
  for (;;) {
    const n = Deno.stdin.readSync(buf);
    if (n === null || n === 0) break;
    chunks.push(buf.slice(0, n));
  }
  new TextDecoder().decode(chunks[0] ?? new Uint8Array());
}
