"""The rules' shared facts: one module, each per-line fact computed once per line."""

from __future__ import annotations

from innoscript.lint import Settings, facts, lint_script
from innoscript.source import Source
from innoscript.syntax import parse


def test_a_per_line_fact_is_computed_once_for_all_rules_that_read_it(monkeypatch):
    calls: list[int] = []
    original = facts.hour_list

    def counting(ctx, line):
        calls.append(line.text)
        return original(ctx, line)

    monkeypatch.setattr(facts, "hour_list", counting)
    text = "mod cmd UP1 times /allow 2,24, 3-4 /initial 6\nmod cmd UP1 times /allow 1,2\n"
    found = {d.code for d in lint_script(parse(Source(text, "update-ip232.htm")), Settings())}
    # Several rules read the hour list of each line (bad hour, ranges, blanks) ...
    assert {"UPD-020", "UPD-022"} <= found, found
    # ... and each line's list was read once.
    assert sorted(calls) == sorted(text.splitlines())
