/**
 * Reports of a simulator run: the text a person reads, the `--json` document
 * (a stable shape, documented in the README) and a self-contained HTML page
 * with the timeline as a picture.
 *
 * @module
 */

import type { ScenarioResult } from "./runner.ts";

/** The `--json` document. */
export interface SimulateJson {
  passed: number;
  failed: number;
  scenarios: {
    name: string;
    file: string;
    profile: string;
    passed: boolean;
    failures: { step: number; expected: unknown; actual: unknown }[];
    hook_runs: number;
    /** App-server scenarios: the notifications the stand-in daemon sent. */
    app_server_notifications?: number;
  }[];
}

/** The `--json` document for some results. */
export function simulateJson(results: ScenarioResult[]): SimulateJson {
  return {
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    scenarios: results.map((r) => ({
      name: r.name,
      file: r.file,
      profile: r.profile,
      passed: r.passed,
      failures: r.failures,
      hook_runs: r.hook_runs,
      ...(r.app_server ? { app_server_notifications: r.app_server.notifications } : {}),
    })),
  };
}

const j = (v: unknown) => JSON.stringify(v);

/** The text report of one scenario: verdict, failed expectations, timeline. */
export function scenarioText(r: ScenarioResult, verbose: boolean): string {
  const lines = [
    `${r.passed ? "PASS" : "FAIL"} ${r.name} (profile ${r.profile}, ${r.hook_runs} hook runs${
      r.app_server ? `, ${r.app_server.notifications} app-server notifications` : ""
    }, ${r.duration_ms} ms) ${r.file}`,
  ];
  if (r.description) lines.push(`     ${r.description}`);
  for (const f of r.failures) {
    lines.push(`     ✗ line ${f.step}: expected ${j(f.expected)}, got ${j(f.actual)}`);
  }
  const skipped = new Map<string, number>();
  for (const s of r.skipped) {
    skipped.set(`${s.event} (${s.reason})`, (skipped.get(`${s.event} (${s.reason})`) ?? 0) + 1);
  }
  if (skipped.size) {
    lines.push(`     skipped handlers: ${[...skipped].map(([k, n]) => `${n}× ${k}`).join(", ")}`);
  }
  for (const w of r.warnings) lines.push(`     warning: ${w}`);
  if (verbose || !r.passed) {
    lines.push("     timeline:");
    for (const t of r.timeline) {
      const states = Object.entries(t.sessions).map(([l, s]) =>
        `${l}=${s ? `${s.status}/${s.turn_state}` : "-"}`
      ).join(" ");
      const runs = t.runs.map((x) => `${x.event}${x.lifeline ? "" : "(user)"}:${x.status} ${x.duration_ms}ms`)
        .join(", ");
      lines.push(
        `       ${String(t.line).padStart(3)} ${t.at.slice(11, 19)} ${t.step.padEnd(44)} ${states}${
          runs ? `  [${runs}]` : ""
        }`,
      );
    }
  }
  return lines.join("\n");
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

const COLORS: Record<string, string> = { busy: "#e8a33d", online: "#4caf7a", offline: "#9aa0a6" };

/** A self-contained HTML page: per scenario, sessions as swimlanes over the steps, busy/idle bands, hook marks. */
export function simulateHtml(results: ScenarioResult[]): string {
  const sections = results.map((r) => {
    const labels = [...new Set(r.timeline.flatMap((t) => Object.keys(t.sessions)))];
    const stepW = 34, laneH = 46, left = 90, top = 24;
    const width = left + Math.max(1, r.timeline.length) * stepW + 20;
    const height = top + labels.length * laneH + 30;
    const failedLines = new Set(r.failures.map((f) => f.step));
    const parts: string[] = [];
    labels.forEach((l, li) => {
      const y = top + li * laneH;
      parts.push(`<text x="4" y="${y + 22}" class="lane">${esc(l)}</text>`);
      r.timeline.forEach((t, i) => {
        const s = t.sessions[l];
        const x = left + i * stepW;
        if (s === null) {
          // Codex has the session, lifeline has not seen it yet (SessionStart comes late).
          parts.push(
            `<rect x="${x + 1}" y="${y + 7}" width="${
              stepW - 4
            }" height="20" fill="none" stroke="#9aa0a6" stroke-dasharray="3 2"><title>${
              esc(`line ${t.line}: ${t.step}\nnot seen by lifeline yet`)
            }</title></rect>`,
          );
          return;
        }
        if (!s) return;
        parts.push(
          `<rect x="${x}" y="${y + 6}" width="${stepW - 2}" height="22" fill="${
            COLORS[s.status] ?? "#ccc"
          }"><title>${esc(`line ${t.line}: ${t.step}\n${s.status}/${s.turn_state}`)}</title></rect>`,
        );
        const marks = t.runs;
        marks.forEach((m, k) => {
          const bad = m.status === "failed" || m.status === "timed_out";
          parts.push(
            `<circle cx="${x + 5 + (k % 6) * 5}" cy="${y + 36 + Math.floor(k / 6) * 5}" r="2.2" fill="${
              bad ? "#d93025" : "#1a73e8"
            }"><title>${esc(`${m.event}: ${m.status} (${m.duration_ms} ms)`)}</title></circle>`,
          );
        });
      });
    });
    r.timeline.forEach((t, i) => {
      const x = left + i * stepW;
      if (failedLines.has(t.line)) {
        parts.push(
          `<rect x="${x}" y="${top - 4}" width="${stepW - 2}" height="${
            labels.length * laneH + 4
          }" fill="none" stroke="#d93025" stroke-width="2"><title>${
            esc(`line ${t.line}: expectation failed`)
          }</title></rect>`,
        );
      }
      parts.push(`<text x="${x + 2}" y="${height - 8}" class="tick">${t.line}</text>`);
    });
    const fails = r.failures.map((f) =>
      `<li>line ${f.step}: expected <code>${esc(j(f.expected))}</code>, got <code>${
        esc(j(f.actual))
      }</code></li>`
    ).join("");
    return `<section class="${r.passed ? "pass" : "fail"}"><h2>${r.passed ? "✔" : "✘"} ${
      esc(r.name)
    } <small>profile ${esc(r.profile)} · ${r.hook_runs} hook runs · ${esc(r.file)}</small></h2>
<p>${esc(r.description)}</p>${fails ? `<ul class="failures">${fails}</ul>` : ""}
<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="timeline of ${
      esc(r.name)
    }">${parts.join("")}</svg></section>`;
  });
  const s = simulateJson(results);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lifeline simulate: ${s.passed} passed, ${s.failed} failed</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#202124}h1{font-size:20px}h2{font-size:16px;margin:18px 0 4px}small{color:#5f6368;font-weight:normal}
section.fail h2{color:#d93025}.lane{font-size:12px}.tick{font-size:9px;fill:#5f6368}.failures{color:#d93025}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}</style></head>
<body><h1>lifeline simulate: ${s.passed} passed, ${s.failed} failed</h1>
<p class="legend">Each row is a session; each column a scenario step (its line number below).<span style="background:${COLORS.busy}"></span>busy<span style="background:${COLORS.online}"></span>online (idle)<span style="background:${COLORS.offline}"></span>offline<span style="border:1px dashed #9aa0a6;box-sizing:border-box"></span>running, not seen by lifeline yet<span style="background:#1a73e8;border-radius:6px"></span>hook run<span style="background:#d93025;border-radius:6px"></span>failed or timed-out hook; a red frame marks a failed expectation.</p>
${sections.join("\n")}</body></html>`;
}
