/** The hub's token and Origin checks (`hub/auth.ts`) on plain Requests. */
import assert from "node:assert/strict";
import { allowedOrigins, hasToken, refusedOrigin, timingSafeEqual } from "../../hub/auth.ts";

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

Deno.test("timingSafeEqual: equal strings only", () => {
  assert.equal(timingSafeEqual("abc", "abc"), true);
  assert.equal(timingSafeEqual("abc", "abd"), false);
  assert.equal(timingSafeEqual("abc", "ab"), false);
  assert.equal(timingSafeEqual("", ""), true);
});

Deno.test("Origin: none (not a browser) and the hub's own pass; any other is refused by name", () => {
  assert.deepEqual([...allowedOrigins(7571)], ["http://127.0.0.1:7571", "http://localhost:7571"]);
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
