/**
 * Where to forward: a Neotoma-compatible memory store and/or an
 * OpenTelemetry collector, read from the environment function it is given.
 *
 * - Neotoma: `LIFELINE_NEOTOMA_URL`, `LIFELINE_NEOTOMA_TOKEN`;
 * - OTLP/HTTP JSON: `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`
 *   (the OpenTelemetry SDKs' own names, so an existing setup just works);
 * - `HOSTNAME`: the `host.name` of OTLP records.
 *
 * @module
 */

/** Where to forward. */
export interface ForwardConfig {
  neotoma?: { url: string; token: string | undefined };
  otlp?: { endpoint: string; headers: Record<string, string> };
  /** `HOSTNAME`, the `host.name` of OTLP records (else the machine's hostname). */
  hostname?: string;
}

/** Reads the forwarding targets; `undefined` when none is set. */
export function forwardConfig(env: (k: string) => string | undefined): ForwardConfig | undefined {
  const c: ForwardConfig = {};
  const n = env("LIFELINE_NEOTOMA_URL");
  if (n) c.neotoma = { url: n.replace(/\/+$/, ""), token: env("LIFELINE_NEOTOMA_TOKEN") };
  const o = env("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (o) {
    c.otlp = {
      endpoint: o.replace(/\/+$/, ""),
      headers: parseOtlpHeaders(env("OTEL_EXPORTER_OTLP_HEADERS") ?? ""),
    };
  }
  if (!c.neotoma && !c.otlp) return undefined;
  const host = env("HOSTNAME");
  if (host) c.hostname = host;
  return c;
}

/**
 * `k1=v1,k2=v2` with URL-encoded values, as the OpenTelemetry spec defines it.
 *
 * @example
 * ```ts
 * import { parseOtlpHeaders } from "./config.ts";
 * const h = parseOtlpHeaders("api-key=a%20b,x=1");
 * if (h["api-key"] !== "a b" || h.x !== "1") throw new Error(JSON.stringify(h));
 * ```
 */
export function parseOtlpHeaders(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(",")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    try {
      out[decodeURIComponent(part.slice(0, i).trim())] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
  }
  return out;
}

/** The `host:port` of every configured target (what a hook's `--allow-net` must grant). */
export function forwardHosts(c: ForwardConfig | undefined): string[] {
  return [c?.neotoma?.url, c?.otlp?.endpoint].filter((u): u is string => !!u).map((u) => new URL(u).host);
}
