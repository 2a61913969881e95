"""The value parsers of the catalogue and the values the AST carries."""

from __future__ import annotations

import pytest

from innoscript import catalog, values
from innoscript.syntax import parse_line


def _spans(start, end):
    return (start, end)


@pytest.mark.parametrize("text", ["²", "٣", "３", "1²", "-5", "+5", "1.5", "6min", "", " 6", "0x10", "1_000"])
def test_numbers_are_ascii_digits_only(text):
    # `str.isdigit()` accepts `²` and `٣`, and int() reads `٣` and `３`: the device reads neither.
    assert values.ascii_number(text) is None
    assert isinstance(values.parse_hours(text, _spans), values.Invalid)
    assert isinstance(values.parse_minutes(text, _spans), values.Invalid)


def test_numbers_leading_zeros_and_size():
    assert values.ascii_number("0006") == 6
    assert values.ascii_number("000000000000000000000000000000000001") == 1
    assert values.ascii_number(str(values.MAX_NUMBER)) == values.MAX_NUMBER
    assert values.ascii_number(str(values.MAX_NUMBER + 1)) is None
    # Longer than int()'s own limit: a clean None, not a ValueError.
    assert values.ascii_number("9" * 5000) is None
    assert values.parse_minutes("0", _spans).message.startswith("a positive whole number of minutes")
    assert values.parse_hours("0", _spans) == 0


def test_hour_list_values_and_spans():
    assert values.parse_hour_list("23,0,07", _spans) == (
        values.Hour(23, (0, 2)), values.Hour(0, (3, 4)), values.Hour(7, (5, 7)),
    )
    bad = values.parse_hour_list("1,2,²", _spans)
    assert bad.kind == "hour-list" and bad.span == (4, 5) and "`²` is not an hour 0-23" in bad.message
    assert "empty element" in values.parse_hour_list("1,,2", _spans).message
    assert values.parse_hour_list("1,,2", _spans).span == (2, 2)
    assert "range" in values.parse_hour_list("22-4", _spans).message
    assert "`24` is not an hour" in values.parse_hour_list("24", _spans).message
    assert isinstance(values.parse_hour_list("", _spans), values.Invalid)


def test_url_parts():
    parts = values.parse_url("HTTP://user@10.0.0.5:8080/fw/?a=1", _spans)
    assert parts == values.UrlParts("http", "10.0.0.5", "/fw/", "a=1") and parts.file_name == ""
    assert values.parse_url("http://10.0.0.5/fw/x.bin", _spans).file_name == "x.bin"
    assert isinstance(values.parse_url("10.0.0.5/fw/", _spans), values.Invalid)


def test_every_catalogue_kind_has_one_parser():
    kinds = {o.value for c in catalog.COMMANDS for o in c.options if o.value}
    kinds |= {o.value for settings in catalog.CONFIG_SETTINGS.values() for o in settings if o.value}
    kinds |= {p.kind for c in catalog.COMMANDS for p in c.params if p.kind != "final"}
    assert kinds <= set(values.KINDS), kinds - set(values.KINDS)


def test_options_carry_parsed_values_with_their_positions():
    line = parse_line("mod cmd UP1 times /allow 23,0 /initial 6", number=3, offset=100)
    assert line.allow.kind == "hour-list" and [h.value for h in line.allow.parsed] == [23, 0]
    first = line.at(line.allow.parsed[0])
    assert (first.line, first.col, first.end_col, first.start) == (3, 26, 28, 125)
    assert line.initial.parsed == 6 and line.initial.invalid is None
    bad = parse_line("mod cmd UP1 times /allow 2,\u00b2 /initial -5")
    assert bad.at(bad.allow.invalid).col == 28 and bad.initial.invalid.kind == "minutes"
    missing = parse_line("mod cmd UP0 scfg http://h/#m.txt ser W /force").force
    assert missing.invalid.message == "`/force` needs a whole number of hours" and missing.invalid.span == missing.span
    assert parse_line("mod cmd UP0 scfg http://h/#m ser nop /always mod%20cmd%20X").always.parsed == "mod cmd X"


def test_urls_carry_their_parts():
    line = parse_line("mod cmd UP0 prot http://10.0.0.5/fw/ ireset 1")
    assert line.url.parts == values.UrlParts("http", "10.0.0.5", "/fw/", "")
    assert parse_line("mod cmd UP0 prot 10.0.0.5/fw/ ireset 1").url.parts is None


def test_config_settings_verbs_and_subobjects():
    line = parse_line("config add UP1 /poll 10 /no-dhcp /url http://10.0.0.5/u/ /name x")
    assert isinstance(line.spec, catalog.SimpleVerb) and line.spec.edit == "merge"
    assert [(o.key, o.kind) for o in line.options] == [("/poll", "minutes"), ("/no-dhcp", None), ("/url", "url"), ("/name", None)]
    assert [o.parsed for o in line.options if o.key != "/url"] == [10, True, "x"]
    # A URL-kind value is a Url: its parts and its meta sequences.
    url = parse_line("config add UP1 /url http://10.0.0.5/#h/").options[0].parsed
    assert url.parts == values.UrlParts("http", "10.0.0.5", "/#h/", "") and [m.text for m in url.metas] == ["#h"]
    rem = parse_line("config rem UP1 /provision /poll")
    assert rem.spec.edit == "remove" and [(o.key, o.value) for o in rem.options] == [("/provision", None), ("/poll", None)]
    sig = parse_line("config change PHONE SIG /prot SIP /gk-addr 10.0.0.1")
    assert sig.sub.text == "SIG" and sig.target == "PHONE SIG" and sig.args == () and sig.extra == ()
    # A lower-case word is no sub-object: it stays a stray word (UPD-003).
    assert parse_line("config add CMD0 stray /name x").sub is None


def test_catalogue_data_replaces_per_verb_code():
    ip1200 = catalog.MODELS["IP1200"]
    names = {c.verb: c.default_name(ip1200) for c in catalog.COMMANDS if c.kind == "download"}
    assert names == {"prot": "IP1200.bin", "boot": "IP1200-boot.bin", "bmc": "IP1200-bmc"}
    assert catalog.lookup("UP0", "bmc").models == "dect" and ip1200.has("dect")
    assert not catalog.MODELS["IP232"].has("dect") and catalog.MODELS["IP232"].has(None)
    assert catalog.setting_value("UP1", "/poll", None) == 15  # the default of spec 2.1
    assert isinstance(catalog.setting_value("UP1", "/poll", "²"), values.Invalid)
    assert "rem" in catalog.CONFIG_VERBS


def test_json_carries_parsed_values():
    from innoscript.syntax import parse
    from innoscript.syntax.serialize import script_to_data

    data = script_to_data(parse("mod cmd UP1 times /allow 1,\u00b2 /initial 6\n"))
    allow, initial = data["lines"][0]["options"]
    assert allow["kind"] == "hour-list" and allow["parsed"]["error"] == "hour-list"
    assert initial["parsed"] == 6
