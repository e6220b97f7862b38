/**
 * The dashboard's one style sheet and one script, served from memory. The script only enhances:
 * every page works without it (confirmations fall back to the plain submit).
 */
import { createHash } from 'node:crypto';

const CSS = `
:root { --fg: #1a1a1a; --muted: #595959; --bg: #fff; --line: #d0d0d0; --accent: #0b57d0; --good: #0a6b2d; --bad: #a50e0e; --warn: #7a4b00; --panel: #f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f6b100; outline-offset: 1px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 9; }
header { background: #16213a; color: #fff; padding: 6px 16px; display: flex; flex-wrap: wrap; align-items: center; gap: 16px; }
header a { color: #fff; } .brand { margin: 0; font-weight: 700; }
header nav { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; flex: 1; }
header nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0; padding: 0; }
header nav a[aria-current="page"] { text-decoration: underline 3px; font-weight: 600; }
.signout { margin-left: auto; }
main { padding: 12px 20px 40px; max-width: 1280px; }
h1 { font-size: 1.5rem; margin: 8px 0 12px; } h2 { font-size: 1.15rem; margin: 22px 0 8px; }
.crumbs { margin: 4px 0 0; color: var(--muted); }
.muted { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); white-space: nowrap; }
td.num, th.num { text-align: right; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.9em; word-break: break-all; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; border: 1px solid currentColor; font-size: 0.85em; white-space: nowrap; }
.badge-good { color: var(--good); } .badge-bad { color: var(--bad); } .badge-warn { color: var(--warn); } .badge-plain { color: var(--muted); }
.notice { padding: 8px 12px; border-left: 5px solid; background: var(--panel); }
.notice-ok { border-color: var(--good); } .notice-error { border-color: var(--bad); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
.facts dt { font-weight: 600; } .facts dd { margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin: 8px 0 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: var(--panel); }
.card .value { font-size: 1.6rem; font-weight: 700; display: block; }
form.inline { display: inline; }
form.search { margin: 8px 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
button, .button { font: inherit; padding: 4px 12px; border: 1px solid #5f6b7a; border-radius: 4px; background: #fff; color: var(--fg); cursor: pointer; text-decoration: none; display: inline-block; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button[disabled] { opacity: 0.6; cursor: progress; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
fieldset { max-width: 760px; border: 1px solid var(--line); border-radius: 4px; margin: 10px 0; }
.field { margin: 10px 0; max-width: 720px; } .field label { display: block; font-weight: 600; }
.field input[type=text], .field input[type=email], .field input[type=url], .field input[type=number], .field input[type=password], .field select, .field textarea { width: 100%; font: inherit; padding: 4px 6px; border: 1px solid #767676; border-radius: 3px; }
.field-error input, .field-error textarea, .field-error select { border: 2px solid var(--bad); }
.hint { margin: 2px 0; color: var(--muted); font-size: 0.9em; } .error { margin: 2px 0; color: var(--bad); font-weight: 600; }
.error-summary { border: 2px solid var(--bad); padding: 8px 14px; margin: 10px 0; max-width: 720px; } .error-summary h2 { margin-top: 0; color: var(--bad); }
.validity { position: relative; height: 14px; background: #e3e6ea; border-radius: 7px; max-width: 480px; border: 1px solid var(--line); }
.validity span { position: absolute; top: 0; bottom: 0; left: 0; border-radius: 7px; background: var(--good); }
.validity.expiring span { background: var(--warn); } .validity.expired span { background: var(--bad); }
.timeline { list-style: none; padding: 0; border-left: 3px solid var(--line); margin-left: 8px; }
.timeline li { padding: 4px 0 8px 14px; position: relative; }
.timeline li::before { content: ""; position: absolute; left: -8px; top: 10px; width: 11px; height: 11px; border-radius: 50%; background: var(--accent); }
.timeline li.failed::before { background: var(--bad); }
details > summary { cursor: pointer; }
pre { background: var(--panel); padding: 8px; overflow-x: auto; max-height: 360px; font-size: 0.85em; }
.chart { display: flex; align-items: flex-end; gap: 6px; height: 140px; margin: 8px 0 4px; max-width: 640px; }
.chart .bar { flex: 1; background: var(--accent); min-height: 1px; position: relative; }
.chart-labels { display: flex; gap: 6px; max-width: 640px; font-size: 0.8em; color: var(--muted); }
.chart-labels span { flex: 1; text-align: center; }
.pager { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; } .pager p { margin: 4px 0; }
.empty { color: var(--muted); font-style: italic; }
`;

const JS = `
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  var buttons = form.querySelectorAll('button[type=submit]');
  setTimeout(function () { for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true; }, 0);
});
document.querySelectorAll('time[datetime]').forEach(function (el) {
  var when = new Date(el.getAttribute('datetime'));
  if (isNaN(when)) return;
  var days = Math.round((when - Date.now()) / 86400000);
  el.title = days === 0 ? 'today' : days > 0 ? 'in ' + days + ' days' : Math.abs(days) + ' days ago';
});
`;

export type Asset = { body: string; type: string; etag: string };

const asset = (body: string, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });

export const ASSETS: Record<string, Asset> = {
  'dashboard.css': asset(CSS, 'text/css; charset=utf-8'),
  'dashboard.js': asset(JS, 'text/javascript; charset=utf-8'),
};
