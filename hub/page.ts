/**
 * The live page (`GET /`): every session with its status, turn state, last
 * seen, turns, failures, transport and the sources that saw it (hooks,
 * notify, the app-server); a session opens (click, or `#s=<id>`)
 * to its turns, tool calls, failures and messages, with a box to send it a
 * `notify` or an `ask` and each message's status. Updates are pushed
 * (`GET /events`) and patched into keyed rows in place, so a selection or a
 * half-typed message survives them. Offline sessions are folded away behind
 * a toggle. Self-contained (its script and style carry the response's CSP
 * nonce); the token comes from the page's own URL.
 *
 * @module
 */

const STYLE = `
body{font:14px system-ui,sans-serif;margin:24px;color:#202124}h1{font-size:20px;margin:0 0 4px}
h2{font-size:16px;margin:18px 0 6px}h3{font-size:13px;margin:14px 0 4px;color:#5f6368;text-transform:uppercase}
#bar{display:flex;gap:18px;align-items:center;color:#5f6368;margin-bottom:12px;flex-wrap:wrap}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e0e0e0;vertical-align:top}
th{font-size:12px;color:#5f6368;text-transform:uppercase}
tbody#rows tr{cursor:pointer}tbody#rows tr:hover{background:#f6f8fc}tbody#rows tr.open{background:#e8f0fe}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;color:#fff}
.online{background:#4caf7a}.busy{background:#e8a33d}.offline{background:#9aa0a6}
.connected{color:#1e8e3e}.disconnected{color:#b06000}.none{color:#9aa0a6}.fail{color:#d93025}
.app-server{color:#1967d2}
.src{display:inline-block;padding:1px 6px;margin:0 3px 2px 0;border-radius:8px;font-size:11px;background:#e8eaed;color:#3c4043}
.src-hook{background:#e6f4ea;color:#137333}.src-app-server{background:#e8f0fe;color:#1967d2}
.src-notify{background:#fef7e0;color:#8a5a00}
.sq{display:inline-block;width:10px;height:10px;margin-right:2px;border-radius:2px;vertical-align:middle}
.t-completed{background:#4caf7a}.t-open{background:#e8a33d}.t-interrupted{background:#d93025}
.t-abandoned{background:#9aa0a6}.t-blocked{background:#673ab7}
#legend span.item{margin-right:10px;white-space:nowrap}
.empty{color:#5f6368;padding:12px 0}code{font-size:12px}small{color:#5f6368}
#detail{border:1px solid #dadce0;border-radius:8px;padding:4px 16px 16px;margin-top:18px}
.msg-queued{color:#b06000}.msg-pending{color:#1a73e8}.msg-delivered{color:#1e8e3e}
form{display:flex;gap:8px;align-items:flex-start;margin-top:8px}
textarea{flex:1;min-height:44px;font:inherit}button,select{font:inherit}#sendResult{margin-top:6px}
`;

const SCRIPT = String.raw`
const token = new URLSearchParams(location.search).get("token") || "";
const auth = { authorization: "Bearer " + token };
const $ = (id) => document.getElementById(id);
const OUTCOMES = ["completed", "open", "interrupted", "blocked", "abandoned"];
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
// Changes a node only when its text differs, so that a selection inside it survives.
const setText = (e, t) => { t = String(t ?? ""); if (e.textContent !== t) e.textContent = t; };
const setClass = (e, c) => { if (e.className !== c) e.className = c; };
const ago = (iso) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? s + "s ago" : s < 3600 ? Math.floor(s / 60) + "m ago"
    : s < 86400 ? Math.floor(s / 3600) + "h ago" : Math.floor(s / 86400) + "d ago";
};
const squares = (cell, turns) => {
  const sig = turns.map((t) => t.outcome).join();
  if (cell.dataset.sig === sig) return;
  cell.dataset.sig = sig;
  cell.replaceChildren(...turns.map((t) => {
    const s = el("span", "sq t-" + t.outcome);
    s.title = t.outcome + ": " + (t.prompt || "");
    return s;
  }), document.createTextNode(" " + turns.length));
};
// The sources that saw a session, as small badges (rebuilt only when they change).
const sourceBadges = (cell, sources) => {
  const list = sources || [];
  const sig = list.join();
  if (cell.dataset.sig === sig) return;
  cell.dataset.sig = sig;
  cell.replaceChildren(...list.map((s) => el("span", "src src-" + s, s)));
  cell.title = list.length ? "seen by " + list.join(", ") : "";
};
// A keyed list: one child per key, created once, then patched by fill(node, item).
const keyed = (parent, items, key, make, fill) => {
  const have = new Map([...parent.children].map((c) => [c.dataset.key, c]));
  let prev = null;
  for (const it of items) {
    const k = key(it);
    let node = have.get(k);
    if (!node) { node = make(it); node.dataset.key = k; }
    have.delete(k);
    fill(node, it);
    const want = prev ? prev.nextSibling : parent.firstChild;
    if (want !== node) parent.insertBefore(node, want);
    prev = node;
  }
  for (const n of have.values()) n.remove();
};
let sessions = [];
let openId = decodeURIComponent((location.hash.match(/^#s=(.+)$/) || [])[1] || "");
let updates = 0;
const showOffline = () => $("showOffline").checked;
function renderList() {
  const offline = sessions.filter((s) => s.status === "offline").length;
  setText($("offlineCount"), offline);
  const shown = sessions.filter((s) => showOffline() || s.status !== "offline" || s.session_id === openId);
  keyed($("rows"), shown, (s) => s.session_id, () => {
    const tr = el("tr");
    for (let i = 0; i < 9; i++) tr.append(el("td"));
    tr.children[0].append(el("code"));
    tr.children[1].append(el("span"), el("small"));
    tr.children[3].className = "turns";
    tr.addEventListener("click", () => open(tr.dataset.key));
    return tr;
  }, (tr, s) => {
    const c = tr.children;
    setClass(tr, s.session_id === openId ? "open" : "");
    setText(c[0].firstChild, s.session_id);
    setClass(c[1].firstChild, "badge " + s.status);
    setText(c[1].firstChild, s.status);
    setText(c[1].lastChild, s.end_reason ? " " + s.end_reason : "");
    setText(c[2], s.turn_state);
    squares(c[3], s.turns);
    setText(c[4], s.failures.length
      ? s.failures.map((f) => f.tool + " " + f.error_class + " ×" + f.count).join(", ") : "0");
    setClass(c[4], s.failures.length ? "fail" : "");
    const tr8 = s.status === "offline" ? ["none", "—"] : [s.transport, s.transport];
    setClass(c[5], tr8[0]);
    setText(c[5], tr8[1]);
    sourceBadges(c[6], s.sources);
    setText(c[7], ago(s.last_seen));
    setText(c[8], (s.cwd || "") + " · " + (s.model || ""));
  });
  $("empty").hidden = sessions.length > 0;
  $("folded").hidden = showOffline() || offline === 0;
}
async function renderDetail() {
  const box = $("detail");
  if (!openId) { box.hidden = true; return; }
  const r = await fetch("/sessions/" + encodeURIComponent(openId), { headers: auth });
  if (!r.ok) { box.hidden = false; setText($("dTitle"), openId + ": " + (await r.json()).error); return; }
  const d = await r.json();
  box.hidden = false;
  setText($("dTitle"), d.session_id);
  setText($("dMeta"), d.status + " · " + d.turn_state + " · " + (d.cwd || "") + " · " + (d.model || "") +
    " · started " + ago(d.started_at) + (d.transport ? " · transport " + d.transport : ""));
  sourceBadges($("dSources"), d.sources);
  keyed($("dTurns"), d.turns, (t) => t.turn_id, () => {
    const li = el("li");
    li.append(el("span"), el("span"), el("small"));
    return li;
  }, (li, t) => {
    setClass(li.children[0], "sq t-" + t.outcome);
    setText(li.children[1], " " + (t.prompt || "(no prompt)") + " ");
    setText(li.children[2], t.outcome + " · " + t.tool_invocations + " tool(s), " + t.tool_failures +
      " failed" + (t.last_assistant_message ? " · answer: " + t.last_assistant_message.slice(0, 120) : ""));
  });
  $("dTurnsEmpty").hidden = d.turns.length > 0;
  keyed($("dTools"), d.tools, (t) => t.at + t.tool + (t.input || ""), () => el("li"), (li, t) => {
    setClass(li, t.failed ? "fail" : "");
    setText(li, t.tool + (t.input ? ": " + t.input : "") + (t.failed ? " (failed)" : ""));
  });
  $("dToolsEmpty").hidden = d.tools.length > 0;
  keyed($("dFailures"), d.failures, (f) => f.tool + "/" + f.error_class, () => el("li", "fail"), (li, f) =>
    setText(li, f.tool + " " + f.error_class + " ×" + f.count + " (last " + ago(f.last_at) + ")"));
  $("dFailuresEmpty").hidden = d.failures.length > 0;
  keyed($("dMessages"), d.messages, (m) => m.id, () => {
    const li = el("li");
    li.append(el("b"), el("span"), el("small"));
    return li;
  }, (li, m) => {
    setText(li.children[0], m.kind + " ");
    setText(li.children[1], m.text + " ");
    setClass(li.children[2], "msg-" + m.status);
    setText(li.children[2], m.status === "delivered" ? "delivered to Codex at " + m.delivered_event
      : m.status === "pending" ? "waiting for Codex's next prompt, start or turn end" : "queued: no sidecar connected");
  });
  $("dMessagesEmpty").hidden = d.messages.length > 0;
}
function open(id) {
  openId = openId === id ? "" : id;
  history.replaceState(null, "", location.search + (openId ? "#s=" + encodeURIComponent(openId) : ""));
  setText($("sendResult"), "");
  renderList();
  renderDetail();
}
async function send(ev) {
  ev.preventDefault();
  const text = $("text").value;
  if (!text.trim() || !openId) return;
  const r = await fetch("/sessions/" + encodeURIComponent(openId) + "/messages", {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ kind: $("kind").value, text }),
  });
  const b = await r.json();
  setText($("sendResult"), r.ok ? b.status + ": " + b.detail : "not sent (" + r.status + "): " + b.error);
  setClass($("sendResult"), r.ok ? "msg-" + (b.status === "queued" ? "queued" : "pending") : "fail");
  if (r.ok) $("text").value = "";
  renderDetail();
}
function apply(list) {
  sessions = list;
  updates++;
  renderList();
  renderDetail();
  setText($("meta"), sessions.length + " session(s) · live · update " + updates + " at " +
    new Date().toLocaleTimeString());
}
async function follow() {
  for (;;) {
    try {
      const r = await fetch("/events", { headers: auth });
      if (!r.ok) throw new Error(r.status + " " + (await r.text()));
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
          if (data) apply(JSON.parse(data).sessions);
        }
      }
      throw new Error("the hub closed the stream");
    } catch (e) {
      setText($("meta"), "cannot reach the hub: " + e.message + " (retrying)");
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
$("legend").append(...OUTCOMES.map((o) => {
  const s = el("span", "item");
  s.append(el("span", "sq t-" + o), document.createTextNode(" " + o));
  return s;
}));
$("showOffline").addEventListener("change", renderList);
$("unfold").addEventListener("click", () => { $("showOffline").checked = true; renderList(); });
$("close").addEventListener("click", () => open(openId));
$("send").addEventListener("submit", send);
follow();
`;

/** The page's HTML; `nonce` is the response's CSP nonce for its one script and style. */
export function pageHtml(nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lifeline hub</title>
<style nonce="${nonce}">${STYLE}</style></head><body>
<h1>lifeline: Codex sessions</h1>
<div id="bar"><span id="meta">connecting…</span>
<label><input type="checkbox" id="showOffline"> show offline sessions (<span id="offlineCount">0</span>)</label>
<span id="legend">turns: </span></div>
<table><thead><tr><th>Session</th><th>Status</th><th>Turn</th><th>Turns</th><th>Failures</th><th>Transport</th>
<th>Sources</th><th>Last seen</th><th>cwd · model</th></tr></thead><tbody id="rows"></tbody></table>
<div id="empty" class="empty" hidden>No sessions recorded yet.</div>
<div id="folded" class="empty" hidden>Offline sessions are folded away: <button id="unfold">show them</button></div>
<section id="detail" hidden><h2><code id="dTitle"></code> <button id="close">close</button></h2>
<div id="dMeta"></div><div>seen by <span id="dSources"></span></div>
<h3>Turns</h3><ol id="dTurns"></ol><div id="dTurnsEmpty" class="empty" hidden>No turns yet.</div>
<h3>Tool calls</h3><ul id="dTools"></ul><div id="dToolsEmpty" class="empty" hidden>No tool calls.</div>
<h3>Failures</h3><ul id="dFailures"></ul><div id="dFailuresEmpty" class="empty" hidden>No failures.</div>
<h3>Messages</h3><ul id="dMessages"></ul><div id="dMessagesEmpty" class="empty" hidden>No messages yet.</div>
<form id="send"><select id="kind"><option value="notify">notify</option><option value="ask">ask</option></select>
<textarea id="text" placeholder="A message for this session's Codex"></textarea><button>Send</button></form>
<div id="sendResult"></div></section>
<script nonce="${nonce}">${SCRIPT}</script></body></html>`;
}
