"""The rules' shared facts: one module, each per-line fact computed once per line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _times(text: str):
    from innoscript.lint.context import LintContext

    script = parse(Source(text + "\n", "update-ip232.htm"))
    line = script.shapes[0]
    return facts.hour_list(LintContext(script, Settings()), line)


def test_an_hour_list_gives_each_piece_with_its_hour():
    hours = _times("mod cmd UP1 times /allow 23,0,07 /initial 6")
    assert [(p.text, tuple(p.span)) for p in hours.pieces] == [("23", (25, 27)), ("0", (28, 29)), ("07", (30, 32))]
    assert hours.hours == (23, 0, 7) and hours.valid and not hours.split


def test_an_hour_list_split_by_blanks_or_with_bad_pieces_reads_the_same_way():
    split = _times("mod cmd UP1 times /allow 22, 23,0 /initial 6")
    assert [(p.text, tuple(p.span)) for p in split.pieces] == [("22", (25, 27)), ("23", (29, 31)), ("0", (32, 33))]
    assert split.hours == (22, 23, 0) and split.valid and split.split
    bad = _times("mod cmd UP1 times /allow 1,,25,3-4")
    assert [p.text for p in bad.pieces] == ["1", "", "25", "3-4"]
    assert bad.hours == (1, None, None, None) and not bad.valid


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.lists(st.one_of(st.integers(0, 300).map(str), st.sampled_from(["00", "01", "010", "", "a", "\u0661", "1e1"])),
             min_size=1, max_size=5).map(".".join),
    st.text(max_size=12)))
def test_the_ipv4_shortcut_reads_hosts_as_ipaddress_does(host):
    import ipaddress

    try:
        ipaddress.ip_address(host)
        expected = True
    except ValueError:
        expected = False
    assert facts.is_ip_literal(host) == expected
