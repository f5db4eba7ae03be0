/** The hub's token and Origin checks (`hub/auth.ts`) on plain Requests. */
import assert from "node:assert/strict";
import { allowedOrigins, hasToken, refusedHost, refusedOrigin, timingSafeEqual } from "../../hub/auth.ts";

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

Deno.test("timingSafeEqual: equal strings only", () => {
  assert.equal(timingSafeEqual("abc", "abc"), true);
  assert.equal(timingSafeEqual("abc", "abd"), false);
  assert.equal(timingSafeEqual("abc", "ab"), false);
  assert.equal(timingSafeEqual("", ""), true);
});

Deno.test("Origin: none (not a browser) and the hub's own pass; any other is refused by name", () => {
  assert.deepEqual([...allowedOrigins(7571)], [
    "http://127.0.0.1:7571",
    "http://localhost:7571",
    "http://[::1]:7571",
  ]);
  const u = "http://127.0.0.1:7571/sessions";
  assert.equal(refusedOrigin(req(u), 7571), undefined);
  assert.equal(refusedOrigin(req(u, { origin: "http://localhost:7571" }), 7571), undefined);
  assert.equal(
    refusedOrigin(req(u, { origin: "http://localhost:7572" }), 7571),
    "origin http://localhost:7572 is not allowed",
  );
  assert.equal(refusedOrigin(req(u, { origin: "null" }), 7571), "origin null is not allowed");
});

Deno.test("token: a bearer header or ?token=, the header winning; nothing else", () => {
  const u = "http://127.0.0.1:1/sessions";
  const check = (r: Request) => hasToken(r, new URL(r.url), "s3cret");
  assert.equal(check(req(u, { authorization: "Bearer s3cret" })), true);
  assert.equal(check(req(u + "?token=s3cret")), true);
  assert.equal(check(req(u + "?token=s3cret", { authorization: "Bearer wrong" })), false);
  assert.equal(check(req(u, { authorization: "Basic s3cret" })), false);
  assert.equal(check(req(u)), false);
  assert.equal(check(req(u + "?token=")), false);
});

Deno.test("Host: the loopback names with the hub's port pass; a missing Host, another name or port is refused", () => {
  const at = (host?: string) => new Request("http://127.0.0.1:7571/", host ? { headers: { host } } : {});
  for (const h of ["127.0.0.1:7571", "localhost:7571", "[::1]:7571", "LocalHost:7571"]) {
    assert.equal(refusedHost(at(h), 7571), undefined, h);
  }
  assert.equal(
    refusedHost(at("attacker.example:7571"), 7571),
    'host "attacker.example:7571" is not allowed: use 127.0.0.1:7571 or localhost:7571',
  );
  assert.match(refusedHost(at("127.0.0.1:7572"), 7571)!, /not allowed/);
  assert.match(refusedHost(at("localhost"), 7571)!, /not allowed/);
  assert.equal(refusedHost(new Request("http://x/"), 7571), "the Host header is missing");
});
