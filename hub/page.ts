/**
 * The live page (`GET /`): every session with its status, turn state, last
 * seen, turns, failures and transport, refreshed every second without
 * reloading. Self-contained; the token comes from the page's own URL.
 *
 * @module
 */

/** The page's HTML. */
export function pageHtml(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lifeline hub</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#202124}h1{font-size:20px;margin:0 0 4px}
#meta{color:#5f6368;margin-bottom:14px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e0e0e0;vertical-align:top}th{font-size:12px;color:#5f6368;text-transform:uppercase}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;color:#fff}
.online{background:#4caf7a}.busy{background:#e8a33d}.offline{background:#9aa0a6}
.connected{color:#1e8e3e}.disconnected{color:#d93025}.fail{color:#d93025}.turns span{display:inline-block;width:10px;height:10px;margin-right:2px;border-radius:2px}
.t-completed{background:#4caf7a}.t-open{background:#e8a33d}.t-interrupted{background:#d93025}.t-abandoned{background:#9aa0a6}.t-blocked{background:#673ab7}
.empty{color:#5f6368;padding:20px 0}code{font-size:12px}
</style></head><body>
<h1>lifeline: Codex sessions</h1><div id="meta">connecting…</div>
<table><thead><tr><th>Session</th><th>Status</th><th>Turn</th><th>Last seen</th><th>Turns</th><th>Failures</th><th>Transport</th><th>cwd · model</th></tr></thead>
<tbody id="rows"></tbody></table><div id="empty" class="empty" hidden>No sessions recorded yet.</div>
<script>
const token = new URLSearchParams(location.search).get("token") || "";
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const ago = (iso) => { const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)); return s < 60 ? s + "s ago" : s < 3600 ? Math.floor(s / 60) + "m ago" : s < 86400 ? Math.floor(s / 3600) + "h ago" : Math.floor(s / 86400) + "d ago"; };
async function refresh() {
  try {
    const r = await fetch("/sessions", { headers: { authorization: "Bearer " + token } });
    if (!r.ok) throw new Error(r.status + " " + (await r.text()));
    const { sessions } = await r.json();
    document.getElementById("rows").innerHTML = sessions.map((s) => "<tr>" +
      "<td><code>" + esc(s.session_id) + "</code></td>" +
      '<td><span class="badge ' + esc(s.status) + '">' + esc(s.status) + "</span>" + (s.end_reason ? " <small>" + esc(s.end_reason) + "</small>" : "") + "</td>" +
      "<td>" + esc(s.turn_state) + "</td><td>" + esc(ago(s.last_seen)) + "</td>" +
      '<td class="turns">' + s.turns.map((t) => '<span class="t-' + esc(t.outcome) + '" title="' + esc(t.outcome + ": " + (t.prompt || "")) + '"></span>').join("") + " " + s.turns.length + "</td>" +
      "<td>" + (s.failures.length ? s.failures.map((f) => '<div class="fail">' + esc(f.tool + " " + f.error_class + " ×" + f.count) + "</div>").join("") : "0") + "</td>" +
      '<td class="' + esc(s.transport) + '">' + esc(s.transport) + "</td>" +
      "<td><small>" + esc(s.cwd) + " · " + esc(s.model) + "</small></td></tr>").join("");
    document.getElementById("empty").hidden = sessions.length > 0;
    document.getElementById("meta").textContent = sessions.length + " session(s) · updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("meta").textContent = "cannot reach the hub: " + e.message;
  }
}
refresh();
setInterval(refresh, 1000);
</script></body></html>`;
}
