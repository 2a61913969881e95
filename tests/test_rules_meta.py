"""Group G rules (meta sequences outside their contexts): catches / catches-not."""

from __future__ import annotations

import pytest

from rule_helpers import findings

TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"


def marked(code: str, text: str, **settings) -> list[str]:
    """The text each finding points at."""
    return [text[d.span.start : d.span.end] for d in findings(code, text, **settings)]


CASES = [
    ("UPD-060", "mod cmd UP0 cfg http://10.0.0.5/cfg/#m.txt ser CFG-1\n", {}, ["#m"]),
    ("UPD-060", "mod cmd UP0 prot http://10.0.0.5/fw/#h/ip.bin ser 13-1\n", {}, ["#h"]),
    ("UPD-060", "mod cmd UP0 boot http://10.0.0.5/fw/#F/boot.bin ser 140\n", {}, ["#F"]),
    ("UPD-060", "mod cmd UP0 bmc http://10.0.0.5/fw/#B.bin ser PCS1\n", {}, ["#B"]),
    ("UPD-060", "mod cmd UP1 check iresetn #d\n", {}, ["#d"]),
    ("UPD-060", "mod cmd UP0 scfg http://10.0.0.5/bak/#h.txt ser S-#m\n", {}, ["#m"]),
    ("UPD-060", "config add CMD0 /name dev-#m\n", {}, ["#m"]),
    ("UPD-060", "config add HTTP /url http://10.0.0.5/#h/\n", {}, ["#h"]),
    ("UPD-060", "vars create PHONE/ID p #i\n", {}, ["#i"]),
    ("UPD-060", "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#m-#b5.txt ser W\n", {}, []),  # expanded here
    ("UPD-060", "config add UP1 /url http://10.0.0.5/update/#m.txt\n", {}, []),  # the update URL
    ("UPD-060", "config change up1 /url http://10.0.0.5/update/#h/ /poll 15\n", {}, []),
    ("UPD-060", "config add CMD0 /password a#x\n", {}, []),  # not a meta sequence: data
    ("UPD-060", "# the update URL is http://10.0.0.5/update/#m.txt\n", {}, []),  # a comment
    ("UPD-061", "mod cmd UP0 scfg http://10.0.0.5/q.php?sn=#m&type=#t ser nop\n", {}, ["#t"]),
    ("UPD-061", "config add UP1 /url http://10.0.0.5/update/#t/\n", {}, ["#t"]),
    ("UPD-061", "mod cmd UP0 prot http://10.0.0.5/fw/#t.bin ser 13-1\n", {}, ["#t"]),
    ("UPD-061", "mod cmd UP0 scfg http://10.0.0.5/q.php?sn=#m ser nop\n", {}, []),
    ("UPD-062", "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt\n", {"target_version": "v6"}, ["#h"]),
    ("UPD-062", "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt\n", {"target_version": "v5"}, ["#h"]),
    ("UPD-062", "config add UP1 /url http://10.0.0.5/update/#h/\n", {"target_version": "v6"}, ["#h"]),
    ("UPD-062", "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt\n", {"target_version": "v7"}, []),
    ("UPD-062", "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt\n", {}, []),
    ("UPD-062", "mod cmd UP0 scfg http://10.0.0.5/bak/#m-#b5.txt\n", {"target_version": "v6"}, []),
    ("UPD-062", "mod cmd UP0 prot http://10.0.0.5/#h/ip.bin ser 1\n", {"target_version": "v6"}, []),  # UPD-060's
]


@pytest.mark.parametrize("code,text,settings,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_catches(code, text, settings, expected):
    assert marked(code, TIMES + text, **settings) == expected


def test_positions_with_crlf_and_tabs():
    text = "mod cmd UP1 times /initial 6\r\nmod\tcmd UP0 cfg\thttp://10.0.0.5/cfg/#m.txt ser C1\r\n"
    (found,) = findings("UPD-060", text)
    assert (found.span.line, found.span.col) == (2, 37)
    assert text[found.span.start : found.span.end] == "#m"


def test_rolling_index_is_one_sequence():
    text = TIMES + "mod cmd UP0 cfg http://10.0.0.5/cfg/#b12.txt ser C1\n"
    assert marked("UPD-060", text) == ["#b12"]


def test_message_names_the_place():
    (found,) = findings("UPD-060", TIMES + "mod cmd UP1 check iresetn #d\n")
    assert "serial" in found.message
    (found,) = findings("UPD-060", TIMES + "mod cmd UP0 cfg http://10.0.0.5/cfg/#m.txt ser CFG-1\n")
    assert "cfg URL" in found.message


def test_missing_arguments_do_not_crash():
    for text in ("mod cmd UP0 cfg\n", "config add\n", "vars create\n", "mod cmd UP1 check\n", "config add UP1 /url\n"):
        for code in ("UPD-060", "UPD-061", "UPD-062"):
            assert all("internal error" not in d.message for d in findings(code, text, target_version="v5"))
