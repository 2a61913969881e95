"""The status pages as HTML: server-rendered from the Dashboard's dicts.

No build step and no framework: one stylesheet and a few lines of script
that sort the table in the browser.  Every value from a device is escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from .chart import rollout_svg
from .dashboard import age

BASE = "/_status"

STYLE = """
:root{--fg:#1f2328;--muted:#667085;--line:#d9dde3;--bg:#f6f7f9;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#14213d;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:baseline}
header b{font-size:16px}header a{color:#cfd8e3;text-decoration:none}header a.on{color:#fff;border-bottom:2px solid #fca311}
header .ver{margin-left:auto;color:#9fb0c3;font-size:12px}
main{padding:16px 24px}
h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:20px 0 8px}
a{color:var(--accent)}
.cards{display:flex;gap:12px;margin-bottom:14px;flex-wrap:wrap}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px}
.card .n{font-size:22px;font-weight:600}.card .l{color:var(--muted);font-size:12px}
.card.bad .n,.card.bad .n a{color:var(--bad)}.card.ok .n{color:var(--ok)}.card .n a{color:inherit;text-decoration:none}
form.filter{display:flex;gap:10px;align-items:center;margin:0 0 10px}
form.filter input[type=search]{padding:5px 8px;border:1px solid var(--line);border-radius:4px;width:280px}
table{border-collapse:collapse;background:#fff;border:1px solid var(--line);width:100%}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;font-size:13px}
th{background:#eef1f5;position:sticky;top:0;cursor:pointer;white-space:nowrap;font-weight:600}
th[data-sort]:after{content:" \\2195";color:#98a2b3;font-size:11px}
tr.flagged td:first-child{box-shadow:inset 3px 0 0 var(--bad)}
td.mono,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
.muted{color:var(--muted)}.small{font-size:12px}.nowrap,.script{white-space:nowrap}
.badge{display:inline-block;border-radius:10px;padding:0 7px;font-size:12px;white-space:nowrap}
.b-ok{background:#dafbe1;color:var(--ok)}.b-wait{background:#eef1f5;color:var(--muted)}
.b-bad{background:#ffebe9;color:var(--bad)}.b-warn{background:#fff8c5;color:var(--warn)}
.flag{display:block;color:var(--bad);font-size:12px}
.next{min-width:220px;max-width:300px}.next.change{color:#0a3069;font-weight:500}
.pager{margin:10px 0;display:flex;gap:12px;align-items:center}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;background:#fff;border:1px solid var(--line);padding:10px 14px;border-radius:6px;max-width:900px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
pre.diff{background:#fff;border:1px solid var(--line);padding:8px;overflow:auto;font-size:12px}
pre.diff .add{color:var(--ok)}pre.diff .del{color:var(--bad)}pre.diff .hunk{color:var(--accent)}
svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
svg .grid{stroke:#eef1f5}svg .axis{stroke:#98a2b3}svg .tick{font-size:11px;fill:#667085}svg .legend{font-size:12px;fill:#1f2328}
section.script{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin-bottom:16px}
section.script h2{margin-top:0;font-size:15px}.card .n.list{font-size:14px;font-weight:500;padding-top:6px}section.script h3{font-size:14px;margin:14px 0 6px}
"""

SORT_SCRIPT = """
document.querySelectorAll("input[name=flagged]").forEach(function (box) {
  box.addEventListener("change", function () { box.form.submit(); });
});
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var down = th.dataset.dir !== "asc"; th.dataset.dir = down ? "asc" : "desc";
      var column = Array.prototype.indexOf.call(th.parentNode.children, th);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.value || a.cells[column].textContent;
        var y = b.cells[column].dataset.value || b.cells[column].textContent;
        return (down ? 1 : -1) * x.localeCompare(y, undefined, {numeric: true});
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def e(value: object) -> str:
    return escape("" if value is None else str(value))


def device_url(key: str, suffix: str = "") -> str:
    return f"{BASE}/device/{quote(key, safe=':')}{suffix}"


def _layout(title: str, active: str, body: str, data: dict) -> str:
    server = data["server"]
    tabs = "".join(
        f'<a href="{href}"{" class=on" if name == active else ""}>{label}</a>'
        for name, href, label in (("devices", BASE, "Devices"), ("scripts", f"{BASE}/scripts", "Scripts"))
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width\"><title>{e(title)} - innoscript update server</title>"
        f"<style>{STYLE}</style></head><body>\n"
        f"<header><b>innoscript update server</b>{tabs}"
        f"<span class=\"ver\">version {e(server['version'])} &middot; lint gate {'on' if server['lint_gate'] else 'off'}"
        f" &middot; {e(shown(data['now']))}</span></header>\n"
        f"<main>\n{body}\n</main>\n<script src=\"{BASE}/sort.js\" defer></script>\n</body></html>\n"
    )


def shown(stamp: str | None) -> str:
    """`2026-12-02T07:00:00Z` as `2026-12-02 07:00:00 UTC`."""
    if not stamp:
        return "never"
    return stamp.replace("T", " ").replace("Z", " UTC")


def _when(stamp: str | None, seconds: int | None) -> str:
    if stamp is None:
        return '<span class="muted">never</span>'
    return f'<span class="nowrap" title="{e(shown(stamp))}">{age(seconds or 0)} ago</span>'


def _goal(value: bool | None) -> str:
    if value is None:
        return '<span class="badge b-wait">unknown</span>'
    return '<span class="badge b-ok">in goal</span>' if value else '<span class="badge b-warn">pending</span>'


def _next(prediction: dict | None) -> str:
    if not prediction:
        return '<span class="muted">-</span>'
    css = "next change" if prediction.get("changes") else "next"
    when = prediction.get("at")
    at = f'<br><span class="muted small" title="{e(shown(when))}">at {e(shown(when)[11:])}</span>' if when else ""
    return f'<div class="{css}">{e(prediction.get("text"))}{at}</div>'


def _flag_badge(flag: str) -> str:
    """`backup overdue: last backup 20 h ago` as a badge, the details in its tooltip."""
    name, _, detail = flag.partition(": ")
    return f'<span class="badge b-bad flag-badge" title="{e(detail)}">{e(name)}</span> '


def _cards(summary: dict) -> str:
    cards = (("", summary["devices"], "devices", BASE), ("ok", summary["in_goal"], "in the goal state", None),
             ("bad" if summary["flagged"] else "", summary["flagged"], "flagged", f"{BASE}?flagged=1"),
             ("", summary["scripts"], "scripts polled", f"{BASE}/scripts"))
    html = []
    for css, number, label, href in cards:
        shown_number = f'<a href="{href}">{number}</a>' if href else str(number)
        html.append(f'<div class="card {css}"><div class="n">{shown_number}</div><div class="l">{label}</div></div>')
    return '<div class="cards">' + "".join(html) + "</div>"


def devices_page(data: dict, *, query: str = "", flagged: bool = False, sort: str = "flags") -> str:
    head = (("key", "device"), ("model", "model / script"), ("firmware", "firmware / boot / radio"), (None, "CHECK / SCFG"),
            ("last_poll", "last poll"), ("last_backup", "last backup"), ("goal", "goal"), ("next", "next poll"),
            ("flags", "flags"))
    ths = "".join(f'<th data-sort="{k}">{label}</th>' if k else f"<th>{label}</th>" for k, label in head)
    rows = []
    for d in data["devices"]:
        serials = d.get("serials") or {}
        builds = " / ".join(e(d.get(name) or "-") for name in ("firmware", "bootcode", "bmc"))
        ident = d.get("mac") or d.get("hwid") or d.get("address") or ""
        flags = "".join(_flag_badge(flag) for flag in d["flags"]) or '<span class="muted">-</span>'
        rows.append(
            f'<tr class="{"flagged" if d["flags"] else ""}" data-key="{e(d["key"])}">'
            f'<td class="nowrap" data-value="{e(d["key"])}"><a href="{device_url(d["key"])}">{e(ident)}</a>'
            f'<br><span class="muted small">{e(d.get("hwid") if d.get("mac") else d["key"])}</span></td>'
            f"<td>{e(d.get('model') or '?')}<br><span class=\"mono muted small script\">{e(d.get('script') or '-')}</span></td>"
            f'<td class="mono" title="{e(d.get("ver"))}">{builds}</td>'
            f'<td class="mono">{e(serials.get("CHECK") or "-")}<br>{e(serials.get("SCFG") or "-")}</td>'
            f'<td data-value="{e(d.get("last_poll"))}">{_when(d.get("last_poll"), d.get("last_poll_age"))}</td>'
            f'<td data-value="{e(d.get("last_backup"))}">{_when(d.get("last_backup"), d.get("last_backup_age"))}</td>'
            f'<td data-value="{0 if d["in_goal"] else 1}">{_goal(d["in_goal"])}</td>'
            f'<td class="next-poll">{_next(d.get("next_poll"))}</td>'
            f'<td data-value="{9 - min(len(d["flags"]), 9)}">{flags}</td></tr>'
        )
    page = data["page"]
    pager = ""
    if page["pages"] > 1:
        def link(number: int, label: str) -> str:
            params = {"page": number, "q": query, "sort": sort}
            if flagged:
                params["flagged"] = 1
            return f'<a href="{BASE}?{urlencode(params)}">{label}</a>'
        prev = link(page["number"] - 1, "&larr; previous") if page["number"] > 1 else ""
        nxt = link(page["number"] + 1, "next &rarr;") if page["number"] < page["pages"] else ""
        pager = f'<div class="pager">{prev}<span>page {page["number"]} of {page["pages"]}</span>{nxt}</div>'
    checked = " checked" if flagged else ""
    body = (
        f"<h1>Devices</h1>{_cards(data['summary'])}"
        f'<form class="filter" method="get" action="{BASE}"><input type="search" name="q" value="{e(query)}" '
        f'placeholder="filter: model, firmware, MAC, script ..."><label><input type="checkbox" name="flagged" value="1"'
        f'{checked}> flagged only</label><button>filter</button>'
        f'<span class="muted">{page["matching"]} shown of {data["summary"]["devices"]} &middot; '
        f'<a href="{BASE}.json">JSON</a></span></form>'
        f'{pager}<table class="sortable" id="devices"><thead><tr>{ths}</tr></thead><tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody></table>{pager}"
    )
    return _layout("Devices", "devices", body, data)


def _findings(findings: list[dict]) -> str:
    if not findings:
        return '<p class="muted">No findings.</p>'
    badge = {"error": "b-bad", "warning": "b-warn"}
    rows = "".join(
        f'<tr><td class="mono">{f["line"]}:{f["col"]}</td><td><span class="badge {badge.get(f["severity"], "b-wait")}">'
        f'{e(f["severity"])}</span></td><td class="mono">{e(f["code"])}</td><td>{e(f["message"])}</td></tr>'
        for f in findings
    )
    return f'<table class="findings"><thead><tr><th>line</th><th>severity</th><th>rule</th><th>message</th></tr></thead><tbody>{rows}</tbody></table>'


NO_BACKUPS = '<p class="muted">No backups.</p>'


def device_page(data: dict) -> str:
    d = data["device"]
    serials = d.get("serials") or {}
    facts = [
        ("key", d["key"]), ("MAC", d.get("mac")), ("hardware id", d.get("hwid")), ("address", d.get("address")),
        ("model", d.get("model")), ("firmware", d.get("firmware")), ("boot code", d.get("bootcode")),
        ("radio (BMC)", d.get("bmc")), ("version line", d.get("ver")),
        ("serials", " ".join(f"{k}={v}" for k, v in sorted(serials.items()) if v) or "-"),
        ("script", d.get("script")), ("polls", f'{d.get("polls")} (every {age(d["interval"])})'),
        ("last poll", shown(d.get("last_poll"))), ("last backup", shown(d.get("last_backup"))),
        ("first seen", shown(d.get("first_seen"))),
    ]
    dl = "".join(f"<dt>{e(k)}</dt><dd class=\"mono\">{e(v if v is not None else '-')}</dd>" for k, v in facts)
    flags = "".join(f'<p class="flag">{e(flag)}</p>' for flag in d["flags"])
    polls = []
    for number, poll in enumerate(data["next_polls"], 1):
        transfers = [f'{e(x["kind"])} {e(x["serial"])} &larr; <span class="mono">{e(x.get("url"))}</span> ({x["status"]})'
                     for x in poll.get("downloads", [])]
        transfers += [f'backup &rarr; <span class="mono">{e(x.get("url"))}</span> ({x["status"]})' for x in poll.get("uploads", [])]
        events = "".join(f"<li class=\"mono small\">{e(_event_text(ev))}</li>" for ev in poll.get("events", []))
        polls.append(
            f'<tr><td>{number}</td><td class="nowrap">{e(shown(poll.get("at")))}</td>'
            f'<td class="next-poll">{e(poll.get("text"))}</td><td>{"<br>".join(transfers) or "-"}</td>'
            f'<td>{e(_stop(poll))}</td>'
            f'<td><details><summary>{len(poll.get("events", []))} events</summary><ul>{events}</ul></details></td></tr>'
        )
    history = "".join(
        f'<tr><td class="nowrap">{e(shown(h["at"]))}</td><td>{e(h["kind"])}</td><td class="mono">{e(h["path"])}</td>'
        f'<td>{e(h["status"])}</td><td class="mono">{e(h.get("firmware") or "-")}</td>'
        f'<td class="mono">{e(h["serials"].get("CHECK", "-"))}</td><td class="mono">{e(h["serials"].get("SCFG", "-"))}</td></tr>'
        for h in data["history"]
    )
    backups = []
    for backup in data["backups"]:
        items = []
        for v in backup["versions"]:
            link = device_url(d["key"], "/backup?" + urlencode({"path": backup["path"], "version": v["version"]}))
            label = "current" if v["version"] == 0 else f"version {v['version']}"
            items.append(f'<li><a href="{link}">{label}</a> <span class="muted small">{v["size"]} bytes, '
                         f'stored {e(shown(v["modified"]))}</span></li>')
        diff = ""
        if len(backup["versions"]) > 1:
            options = "".join(f'<option value="{v["version"]}">{v["version"]}</option>' for v in backup["versions"])
            diff = (f'<form method="get" action="{device_url(d["key"], "/diff")}">'
                    f'<input type="hidden" name="path" value="{e(backup["path"])}">diff version '
                    f'<select name="old">{_selected(options, backup["versions"][-1]["version"])}</select> with '
                    f'<select name="new">{options}</select> <button>show diff</button></form>')
        backups.append(f'<h3 class="mono small">{e(backup["path"])}</h3><ul>{"".join(items)}</ul>{diff}')
    script = data["script"]
    script_part = '<p class="muted">No script polled yet.</p>'
    if script:
        gate = {"ok": "b-ok", "off": "b-wait", "stale": "b-warn"}.get(script["gate"], "b-bad")
        reason = f' <span class="muted">{e(script["reason"])}</span>' if script["reason"] else ""
        script_part = (f'<p><span class="mono">{e(script["path"])}</span> <span class="badge {gate}">lint gate: '
                       f'{e(script["gate"])}</span>{reason}</p>{_findings(script["findings"])}')
    body = (
        f'<p class="small"><a href="{BASE}">&larr; all devices</a> &middot; <a href="{device_url(d["key"], ".json")}">JSON</a></p>'
        f'<h1>{e(d.get("model") or "device")} {e(d.get("mac") or d.get("hwid") or d["key"])} {_goal(d["in_goal"])}</h1>'
        f"{flags}<dl class=\"facts\">{dl}</dl>"
        f"<h2>Next polls (dry run)</h2><table id=\"next-polls\"><thead><tr><th>#</th><th>at</th><th>what happens</th>"
        f"<th>transfers</th><th>stops at</th><th>trace</th></tr></thead><tbody>{''.join(polls)}</tbody></table>"
        f"<h2>Backups</h2>{''.join(backups) or NO_BACKUPS}"
        f"<h2>Lint findings of the script it polls</h2>{script_part}"
        f"<h2>Poll history</h2><table id=\"history\"><thead><tr><th>time</th><th>request</th><th>path</th>"
        f"<th>status</th><th>firmware</th><th>CHECK</th><th>SCFG</th></tr></thead><tbody>{history}</tbody></table>"
    )
    return _layout(d["key"], "devices", body, data)


def _stop(poll: dict) -> str:
    """`check (line 4)`, `end`."""
    stopped = poll.get("stopped_by") or ""
    return f"{stopped} (line {poll['stop_line']})" if poll.get("stop_line") else stopped


def _selected(options: str, version: int) -> str:
    """The oldest version preselected: the diff shows what changed since then."""
    return options.replace(f'value="{version}">', f'value="{version}" selected>', 1)


def _event_text(event: dict) -> str:
    fields = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "line"))
    where = f"line {event['line']}: " if event.get("line") else ""
    return f"{where}{event['event']} {fields}"


def _version(number: int) -> str:
    return "current" if number == 0 else f"version {number}"


def diff_page(data: dict, key: str, diff: dict) -> str:
    lines = []
    for line in diff["lines"]:
        css = "hunk" if line.startswith("@@") else "add" if line.startswith("+") else "del" if line.startswith("-") else ""
        lines.append(f'<span class="{css}">{e(line)}</span>' if css else e(line))
    text = "\n".join(lines) if lines else "(no differences)"
    if diff["binary"]:
        text = "(not a text file: no diff)"
    body = (f'<p class="small"><a href="{device_url(key)}">&larr; device</a></p>'
            f'<h1>{e(diff["path"])}: {_version(diff["old"])} &rarr; {_version(diff["new"])}</h1><pre class="diff">{text}</pre>')
    return _layout("diff", "devices", body, data)


def scripts_page(data: dict) -> str:
    sections = []
    for s in data["scripts"]:
        gate = {"ok": "b-ok", "off": "b-wait", "stale": "b-warn"}.get(s["gate"], "b-bad")
        reason = f'<p class="flag">{e(s["reason"])}</p>' if s["reason"] else ""
        firmware = ", ".join(f"{e(k)}: {v}" for k, v in s["firmware"].items()) or "-"
        sections.append(
            f'<section class="script" data-path="{e(s["path"])}"><h2 class="mono">{e(s["path"])} '
            f'<span class="badge {gate}">lint gate: {e(s["gate"])}</span></h2>{reason}'
            f'<div class="cards"><div class="card"><div class="n">{s["devices"]}</div><div class="l">devices poll it</div></div>'
            f'<div class="card ok"><div class="n">{s["in_goal"]}</div><div class="l">converged</div></div>'
            f'<div class="card {"bad" if s["flagged"] else ""}"><div class="n">{s["flagged"]}</div><div class="l">flagged</div></div>'
            f'<div class="card"><div class="n list mono">{firmware}</div><div class="l">firmware now</div></div></div>'
            f'<h3>Rollout: devices by firmware over time</h3>{rollout_svg(s["rollout"], "devices by firmware: " + s["path"])}'
            f'<h3>Lint findings</h3>{_findings(s["findings"])}</section>'
        )
    body = f"<h1>Scripts</h1>{_cards(data['summary'])}" + ("".join(sections) or '<p class="muted">No script served yet.</p>')
    return _layout("Scripts", "scripts", body, data)
