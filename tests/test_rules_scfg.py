"""Group F rules (scfg backups): catches / catches-not, one snippet each."""

from __future__ import annotations

import pytest

from innoscript.lint.fixes import apply_edits
from rule_helpers import findings, lines

TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
SCFG = "mod cmd UP0 scfg http://10.0.0.5/bak/"


CASES = [
    ("UPD-051", TIMES + f"{SCFG}#h-a-#b5.txt ser D /force 24\n{SCFG}#h-b-#b5.txt ser D /force 168\n", {}, [3]),
    ("UPD-051", TIMES + f"{SCFG}#h-a-#b5.txt ser D\n{SCFG}#h-b-#b3.txt ser D\n{SCFG}#bn.txt ser D\n", {}, [3, 4]),
    ("UPD-051", TIMES + f"{SCFG}#h-a-#b5.txt ser D\n{SCFG}#h-b.txt ser D\n", {}, []),
    ("UPD-051", TIMES + f"{SCFG}#h-#b5-#b5.txt ser D\n", {}, []),  # one scfg, one counter
    ("UPD-052", TIMES + f"{SCFG}#h.txt ser /force 168\n", {}, [2]),
    ("UPD-052", TIMES + f"{SCFG}#h.txt ser\n", {}, [2]),
    ("UPD-052", TIMES + f"{SCFG}#h.txt /force 168\n", {}, [2]),
    ("UPD-052", TIMES + f"{SCFG}#h.txt ser WEEKLY /force 1w\n", {}, [2]),
    ("UPD-052", TIMES + f"{SCFG}#h.txt ser WEEKLY /force\n", {}, [2]),
    ("UPD-052", TIMES + f"{SCFG}#h.txt ser WEEKLY /force 168\n", {}, []),
    ("UPD-052", TIMES + f"{SCFG}#h.txt ser WEEKLY\n", {}, []),
    ("UPD-052", TIMES + f"{SCFG}#h.txt\n", {}, []),
    ("UPD-052", TIMES + "mod cmd UP0 scfg no-op WEEKLY /force 168\n", {}, []),  # URL lost: UPD-010's
    ("UPD-053", TIMES + f"{SCFG}#m.txt ser WEEKLY /force 168\n", {"target_version": "v6"}, [2]),
    ("UPD-053", TIMES + f"{SCFG}#m.txt ser WEEKLY /force 168\n", {"target_version": "v6sr2hf3"}, [2]),
    ("UPD-053", TIMES + f"{SCFG}#m.txt ser WEEKLY /force 168\n", {"target_version": "v7"}, []),
    ("UPD-053", TIMES + f"{SCFG}#m.txt\n", {"target_version": "v5"}, []),
    ("UPD-054", TIMES + f"{SCFG}#m.txt\n", {}, [2]),
    ("UPD-054", TIMES + f"{SCFG}#m.txt ser WEEKLY\n", {}, []),
    ("UPD-054", TIMES + f"{SCFG}#m.txt\n", {"target_version": "v6"}, []),  # nothing to add before V7
    ("UPD-055", TIMES + f"mod cmd UP1 check iresetn 2024-06-01\n{SCFG}#h.txt ser W /force 168\n", {}, [3]),
    ("UPD-055", TIMES + f"{SCFG}#h.txt ser W /force 168\nmod cmd UP1 check iresetn 2024-06-01\n", {}, []),
    ("UPD-055", f"{SCFG}#h.txt ser W /force 168\nmod cmd UP1 check iresetn 2024-06-01\n", {"mode": "cfg-payload"}, []),
    ("UPD-056", TIMES + f"{SCFG}#n.txt\n", {}, [2]),
    ("UPD-056", TIMES + f"{SCFG}#h-#m-#i-#d-#F-#B-#H-#b5-#bn-#t.txt\n", {}, []),
    ("UPD-056", TIMES + f"{SCFG}backup#\n", {}, [2]),
    ("UPD-056", TIMES + "config add UP1 /url http://10.0.0.5/update/#x.txt\nconfig write\nconfig activate\n", {}, [2]),
    ("UPD-056", TIMES + "config add UP1 /url http://10.0.0.5/update/#m.txt\nconfig write\nconfig activate\n", {}, []),
    ("UPD-056", TIMES + "config add HTTP /url http://10.0.0.5/x/#x.txt\nconfig write\nconfig activate\n", {}, []),
    ("UPD-056", TIMES + "mod cmd UP0 prot http://10.0.0.5/#x/ip.bin ser 13-1\niresetn\n", {}, []),
    ("UPD-057", TIMES + f"{SCFG}q.php?sn=#m ser nop /always mod%20cmd%20CMD0%20xml-info\n", {}, [2]),
    ("UPD-057", TIMES + f"{SCFG}#m.txt ser W /force 168\n", {}, []),
    ("UPD-058", TIMES + f"{SCFG} ser W /force 168\n", {}, [2]),
    ("UPD-058", TIMES + "mod cmd UP0 scfg http://10.0.0.5\n", {}, [2]),
    ("UPD-058", TIMES + f"{SCFG}#h.txt ser W /force 168\n", {}, []),
    ("UPD-058", TIMES + f"{SCFG}backup.php?dir=/x/\n", {}, []),  # the query is not the path
    ("UPD-059", TIMES + f"{SCFG}#h-d.txt ser DAILY /force 24\n{SCFG}#h-w.txt ser WEEKLY /force 168\n", {}, [3]),
    ("UPD-059", TIMES + f"{SCFG}#h-d.txt ser DAILY /force 24\n{SCFG}#h-w.txt ser DAILY /force 168\n", {}, []),
    ("UPD-059", TIMES + f"{SCFG}#h-d.txt ser DAILY /force 24\n{SCFG}#h-w.txt\n", {}, []),
    ("UPD-059", TIMES + f"{SCFG}#h-d.txt\n{SCFG}#h-w.txt ser WEEKLY\n", {}, []),
]


@pytest.mark.parametrize("code,text,settings,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_catches(code, text, settings, expected):
    assert lines(code, text, **settings) == expected


def test_rolling_index_points_at_the_index_and_the_first_use():
    text = TIMES + f"{SCFG}#h-a-#b5.txt ser D\n{SCFG}#h-b-#b7.txt ser D\n"
    (found,) = findings("UPD-051", text)
    assert text[found.span.start : found.span.end] == "#b7"
    assert found.related[0].span.line == 2


def test_optionals_on_old_firmware_span_all_of_them():
    text = TIMES + f"{SCFG}#m.txt ser WEEKLY /force 168\n"
    (found,) = findings("UPD-053", text, target_version="v6")
    assert text[found.span.start : found.span.end] == "ser WEEKLY /force 168"


def test_backup_below_check_fix_moves_it_above():
    text = (
        TIMES
        + "mod cmd UP1 check iresetn 2024-06-01\r\n"
        + f"{SCFG}#h.txt ser W /force 168\r\n"
        + "config add CMD0 /name Lobby\r\n"
    )
    (found,) = findings("UPD-055", text)
    assert found.fix is not None and not found.fix.safe
    assert found.related[0].span.line == 2
    result = apply_edits(text, found.fix.edits)
    assert result == (
        TIMES
        + f"{SCFG}#h.txt ser W /force 168\r\n"
        + "mod cmd UP1 check iresetn 2024-06-01\r\n"
        + "config add CMD0 /name Lobby\r\n"
    )
    assert lines("UPD-055", result) == []


def test_unknown_meta_in_update_url_points_at_the_sequence():
    text = "config add UP1 /url http://10.0.0.5/u/#q.txt\n"
    (found,) = findings("UPD-056", text)
    assert text[found.span.start : found.span.end] == "#q"


def test_case_of_keywords_does_not_hide_a_backup():
    text = TIMES + "MOD CMD up0 scfg http://10.0.0.5/bak/#n.txt\n"
    assert lines("UPD-056", text) == [2]


def test_tabs_between_words():
    text = TIMES + "mod\tcmd\tUP0\tscfg\thttp://10.0.0.5/bak/#h-#b5.txt\tser\tDAILY\t/force\t24\n" + \
        "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b3.txt ser WEEKLY /force 168\n"
    assert lines("UPD-051", text) == [3]
    assert lines("UPD-059", text) == [3]


def test_save_serials_relate_to_the_other():
    text = TIMES + f"{SCFG}#h-d.txt ser DAILY /force 24\n{SCFG}#h-w.txt ser WEEKLY /force 168\n"
    (found,) = findings("UPD-059", text)
    assert found.related[0].span.line == 2
    assert "DAILY" in found.message and "WEEKLY" in found.message
