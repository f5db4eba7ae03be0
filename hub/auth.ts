/**
 * Who may talk to the hub: a request must name the hub by a loopback name in
 * its Host header (so that a DNS name rebound to 127.0.0.1 cannot reach it
 * from a web page), must carry the hub token
 * (`Authorization: Bearer …`, or `?token=` for the page, which a browser opens
 * by URL), and a browser request must come from the hub's own Origin, so that
 * another web page cannot drive the hub through the user's browser.
 * WebSocket clients cannot set headers everywhere: the sidecars send the token
 * in their first frame instead (`hub/connections.ts`).
 *
 * @module
 */

/** Compares two tokens in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/** The Host headers that name the hub on `port`: its loopback names. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/** The Origins of the hub's own page on `port`. */
export function allowedOrigins(port: number): Set<string> {
  return new Set([...allowedHosts(port)].map((h) => `http://${h}`));
}

/** Why a request's Host is refused (DNS rebinding), or undefined when it is one of the hub's names. */
export function refusedHost(req: Request, port: number): string | undefined {
  const host = req.headers.get("host");
  if (host !== null && allowedHosts(port).has(host.toLowerCase())) return undefined;
  return host === null
    ? "the Host header is missing"
    : `host ${JSON.stringify(host)} is not allowed: use 127.0.0.1:${port} or localhost:${port}`;
}

/** Why a request's Origin is refused, or undefined when it has none (not a browser) or the hub's own. */
export function refusedOrigin(req: Request, port: number): string | undefined {
  const origin = req.headers.get("origin");
  if (origin === null || allowedOrigins(port).has(origin)) return undefined;
  return `origin ${origin} is not allowed`;
}

/** Whether the request carries the token, as a bearer header or a `token` query parameter. */
export function hasToken(req: Request, url: URL, token: string): boolean {
  const auth = req.headers.get("authorization");
  const given = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : url.searchParams.get("token") ?? "";
  return timingSafeEqual(given, token);
}

/** What a request without the right token is told. */
export const TOKEN_HELP =
  "missing or wrong token: send Authorization: Bearer <token> (see $LIFELINE_STATE_DIR/hub.token)";
