"""Every line rule over many variants of the documented lines, against a reviewed copy.

Line rules run on most lines of every script and are written for speed
(early returns, facts read straight from the parse); a rewrite of one can
change what it finds on lines the rule tests do not cover.  This test
builds a few thousand lines from the rules' own examples and the corpus,
each changed in the ways scripts go wrong (a word dropped, a word's case,
a trailing comment or word, other URLs, serials, final commands and hour
lists), runs each line rule on each line under several settings and
models, and compares everything found (columns, messages, fixes, related
spans, severities) with tests/golden/line_rules/variants.txt: per rule, how
many findings and a digest of their full text (the text itself is some
megabytes; ``line_rule_report`` prints it for a diff against an earlier
version).  `INNOSCRIPT_UPDATE_GOLDEN=1` rewrites the file after review.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from innoscript.lint.context import LintContext
from innoscript.lint.rule import all_rules
from innoscript.lint.settings import Settings
from innoscript.syntax import parse
from innoscript.source import Source

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "line_rules" / "variants.txt"

URLS = (
    "http://10.0.0.5/fw/", "https://fw.example.com/fw/ip232.bin", "ftp://10.0.0.5/a.bin", "http://[::1]/x",
    "http://[fe80::1/x", "http://#i/x/", "http://10.0.0.5/fw/13-5021837/ip232.bin", "http://10.0.0.5/fw/08-60600.03/",
    "http://10.0.0.5/backup/#h-#b5-#t-#x.txt", "10.0.0.5/fw", "http://010.0.0.5/", "http://fw:8080/a?b=c/",
    "HTTP://FW/", "https://10.0.0.5", "http://user@host.example:80/p/#m.txt", "http:/", "http://",
)
SERIALS = ("07-60600.03", "20240601-123000", "2024-06-01T12:30", "a#b", "ser", "no-op", "NOP", "abc$", "13-5021837",
           "04-5679", "ireset", "x.y", "#d")
FINALS = ("ireset", "reset", "iresetn", "resetn", "ser", "reboot", "ireboot", "no-op", "nop", "restart", "IRESET")
HOURS = ("22,23,0,1", "1,1,2", "24,1", "1-5", ",1", "1,,2", "1,3", "0,2,4", "23,1", "a", "1,2,", "22, 23",
         "5,1,5,1", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22")
EXTRA_LINES = (
    "config add UP1 /url http://10.0.0.5/#h/update.htm /poll 5", "config change UP1 /url https://up.example/#t",
    "config change up1 /poll 1", "config add UP1 /poll x", "config rem UP1 /url", "config add", "config frob CMD0",
    "config add CMD0 /name a b /ip 1.2.3.4 c # d", "config write extra", "vars create UPDATE/X p #h",
    "vars create", "vars frob X", "vars del", "mod cmd UP1 poll", "mod cmd UP1 reinit", "mod cmd UP1 provision",
    "mod cmd UP1 time /allow 1,2", "mod cmd UP1 times", "mod cmd UP1 times /allow", "mod cmd UP1 times /initial",
    "mod cmd UP1 times /initial 0 /days 1-5 /ALLOW 1", "mod cmd UP0 scfg http://10.0.0.5/b/ ser", "iresetn x # y",
    "mod cmd UP0 scfg http://10.0.0.5/b/#h.txt /force", "mod cmd UP0 scfg http://10.0.0.5/b/#h.txt ser W /force x",
    "mod cmd UP0 scfg http://10.0.0.5/b/#h.txt /force 5", "mod cmd UP0 scfg http://10.0.0.5/b/#h.txt /always reset",
    "mod cmd WLANMGR0 activate-pwr", "mod cmd wlanmgr0 deactivate-pwr x", "mod cmd UP0 frob", "mod cmd UP0",
    "mod cmd UP1 check", "mod cmd UP1 check ireset", "mod cmd UP1 check frob", "frob a #b c", "ireset now",
    "mod cmd UP0 prot /ser 04-5679", "mod cmd UP0 prot ireset 04-5679", "mod cmd UP0 prot", "mod cmd up0 Prot x",
    "mod cmd UP0 cfg http://10.0.0.5/c.txt iresetn", "mod cmd UP0 cfg http://10.0.0.5/c.txt", "mod cmd X0 y /a 1",
    "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5021837 /x", "mod cmd UP0 boot http://10.0.0.5/fw/ reset 1 2",
    "mod cmd UP0 bmc http://10.0.0.5/fw/ ireset PCS04fd", "mod cmd UP0 scfg http://10.0.0.5/b/x.txt ireset",
)
SETTINGS = {
    "default": (Settings(), "update-example.htm"),
    "v6 ip72": (Settings(target_version="v6"), "update-ip72.htm"),
    "v9 ip1200": (Settings(target_version="v9"), "update-ip1200.htm"),
    "v10 ip232 payload": (Settings(target_version="v10", mode="cfg-payload"), "update-ip232.htm"),
    "model ip800": (Settings(model="IP800"), "x.htm"),
}


def _base_lines() -> list[str]:
    lines: list[str] = list(EXTRA_LINES)
    for rule in all_rules():
        for example in (rule.bad_example, rule.good_example):
            if example is not None:
                lines += example.text.splitlines()
    for path in sorted((ROOT / "corpus").rglob("*")):
        if path.is_file() and path.suffix in (".htm", ".txt") and path.stat().st_size < 200_000:
            lines += path.read_bytes().decode("utf-8", "replace").splitlines()[:200]
    return list(dict.fromkeys(line for line in lines if line.strip()))


def _variants(line: str) -> list[str]:
    words = line.split(" ")
    out = [line, line + " # note", line + " extra", line + " /x 1", line.upper(), line.lower()]
    for index, word in enumerate(words):
        out.append(" ".join(words[:index] + words[index + 1:]))
        out.append(" ".join(words[:index] + [word.swapcase()] + words[index + 1:]))
        if "://" in word or word.startswith(("http", "10.")):
            out += [" ".join(words[:index] + [url] + words[index + 1:]) for url in URLS]
        if index == len(words) - 1 and index >= 4:
            out += [" ".join(words[:index] + [serial]) for serial in SERIALS]
        if word.lower() in FINALS and index >= 4:
            out += [" ".join(words[:index] + [final] + words[index + 1:]) for final in FINALS]
        if word == "/allow" and index + 1 < len(words):
            out += [" ".join(words[:index + 1] + [hours] + words[index + 2:]) for hours in HOURS]
    return out


def variant_lines() -> list[str]:
    lines: list[str] = []
    for line in _base_lines():
        lines += _variants(line)
    return list(dict.fromkeys(lines))


def _describe(found) -> str:
    span, message, fix, related, unnecessary, severity = found
    text = f"  {tuple(span)} {message}"
    if fix is not None:
        text += f"\n    fix {fix.message!r} safe={fix.safe} " + " ".join(f"{tuple(e.span)}={e.text!r}" for e in fix.edits)
    for item in related:
        text += f"\n    related {tuple(item.span)} {item.message}"
    if unnecessary or severity is not None:
        text += f"\n    unnecessary={unnecessary} severity={severity}"
    return text


def line_rule_report() -> dict[str, list[str]]:
    """What each line rule finds on the variant lines, by rule code (entries in a fixed order)."""
    rules = [rule for rule in all_rules() if rule.stage == "line"]
    lines = variant_lines()
    out: dict[str, list[str]] = {"lines": [f"{len(lines)} lines"], **{rule.code: [] for rule in rules}}
    for label, (settings, path) in SETTINGS.items():
        script = parse(Source("\r\n".join(lines) + "\r\n", path))
        ctx = LintContext(script, settings)
        for shape in dict.fromkeys(script.shapes):  # each parse once (line 1, offset 0)
            for rule in rules:
                if not isinstance(shape, rule.kinds):
                    continue
                try:
                    found = list(rule.check(ctx, shape) or ())
                except Exception as exc:  # noqa: BLE001 - a broken rule is part of the report
                    out[rule.code].append(f"[{label}] {shape.text!r}\n  raised {exc!r}")
                    continue
                if found:
                    out[rule.code].append(f"[{label}] {shape.text!r}\n" + "\n".join(_describe(f) for f in found))
    return out


def digests(report: dict[str, list[str]]) -> str:
    """One row per rule: its code, how many lines it found something on, a digest of what it found."""
    rows = []
    for code, entries in report.items():
        digest = hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()[:16]
        rows.append(f"{code} {len(entries)} {digest}")
    return "\n".join(rows) + "\n"


def test_line_rules_find_what_the_reviewed_copy_says():
    report = line_rule_report()
    assert sum(len(entries) for entries in report.values()) > 5000  # the variants reach the rules
    rows = digests(report)
    if os.environ.get("INNOSCRIPT_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(rows.encode("utf-8"))
    assert GOLDEN.exists(), "no reviewed copy: run with INNOSCRIPT_UPDATE_GOLDEN=1 and review it"
    expected = GOLDEN.read_bytes().decode("utf-8").splitlines()
    assert expected[0] == rows.splitlines()[0]  # the same variant lines
    changed = [row.split()[0] for row, old in zip(rows.splitlines(), expected) if row != old]
    assert not changed and len(rows.splitlines()) == len(expected), f"line rules that find something else: {changed}"
