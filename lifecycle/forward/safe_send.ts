/**
 * What forwarding keeps from a failed request, made safe to store: the
 * outbox's error column is shown by `status --json`, so it must never hold a
 * credential, and a hook must never read a target's unbounded answer.
 *
 * - an error body is read up to {@link MAX_ERROR_BODY} bytes, the rest is
 *   cancelled (a 1 GB answer would otherwise be held in a hook's memory);
 * - error text loses every configured header value (a target may echo the
 *   `Authorization` header in its 4xx body), anything after an auth-like
 *   header name, and whatever the secret scrubber catches;
 * - a header fetch can never send (CR, LF, NUL, a name that is no HTTP token,
 *   a value beyond Latin-1) makes the request permanent failure, named
 *   without its value, instead of a retry forever.
 *
 * @module
 */

import { scrubSecrets } from "../scrub.ts";

/** The most of an error answer's body that is read and kept. */
export const MAX_ERROR_BODY = 4096;

/** Reads at most `max` bytes of a response body as text and cancels the rest. */
export async function readCapped(res: Response, max: number = MAX_ERROR_BODY): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value.subarray(0, max - size));
      size += Math.min(value.length, max - size);
    }
  } catch {
    /* a broken body: keep what came */
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const p of parts) all.set(p, (off += p.length) - p.length);
  return new TextDecoder().decode(all);
}

const TOKEN_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Why a header can never be sent (named, its value never quoted), or undefined when all can. */
export function headerProblem(headers: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN_NAME.test(name)) return `the header name ${JSON.stringify(name.slice(0, 40))} is not valid`;
    if (/[\r\n\0]/.test(value)) return `the value of header "${name}" contains CR, LF or NUL`;
    // deno-lint-ignore no-control-regex -- the range starts at U+0001 on purpose: NUL is reported above
    if (/[^\u0001-\u00ff]/.test(value)) return `the value of header "${name}" has characters beyond Latin-1`;
  }
  return undefined;
}

const AUTH_LINE =
  /\b(authorization|proxy-authorization|x-api-key|api-key|x-auth-token|cookie|set-cookie)(["']?\s*[:=]\s*)[^\r\n,}]*/gi;
const BEARER = /\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * Error text safe to store: every header value in `headers` (and its URL
 * encoding) removed, auth-like `name: value` pairs and bearer credentials
 * cut, then the secret scrubber.
 */
export function redactError(text: string, headers: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === "content-type" || value.length < 4) continue;
    const v = value.replace(/^bearer\s+/i, "");
    for (const s of new Set([value, v, encodeURIComponent(value), encodeURIComponent(v)])) {
      if (s.length >= 4) out = out.split(s).join("<REDACTED>");
    }
  }
  out = out.replace(AUTH_LINE, "$1$2<REDACTED>").replace(BEARER, "$1 <REDACTED>");
  return scrubSecrets(out);
}
