"""Group H rules (cfg loads): catches / catches-not, one snippet each."""

from __future__ import annotations

import pytest

from innoscript.lint.fixes import apply_edits
from rule_helpers import findings, lines

TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
CHECK = "mod cmd UP1 check ser 2024-06-10\n"
CFG = "mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt"
BACKUP = "mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b5.txt ser WEEKLY /force 168\n"


PAYLOAD = {"mode": "cfg-payload"}

CASES = [
    ("UPD-065", "config change TIME /ntp1 10.0.0.1\nmod cmd UP0 cfg http://10.0.0.5/cfg/x.txt ser C1\n", PAYLOAD, [2]),
    ("UPD-065", "mod cmd UP0 prot http://10.0.0.5/fw/ip.bin ser 13-1\nmod cmd up0 scfg http://h/#m.txt\n", PAYLOAD, [1, 2]),
    ("UPD-065", "mod cmd UP0 cfg http://10.0.0.5/cfg/x.txt ser C1\nconfig activate\n", {}, []),  # a script may
    ("UPD-065", "config change TIME /ntp1 10.0.0.1\nmod cmd FLASHDIR0 add-item 101 (cn=x)\n", PAYLOAD, []),
    ("UPD-066", TIMES + CHECK + f"{CFG} ser CFG-7\n", {}, [3]),
    ("UPD-066", TIMES + CHECK + f"{CFG} SER CFG-7\n", {}, [3]),
    ("UPD-066", TIMES + CHECK + f"{CFG} no-op CFG-7\n", {}, [3]),
    ("UPD-066", TIMES + CHECK + f"{CFG} ser CFG-7\nconfig activate\niresetn\n", {}, []),
    ("UPD-066", TIMES + CHECK + f"{CFG} ser CFG-7\niresetn\n", {}, []),
    ("UPD-066", TIMES + "mod cmd UP1 check iresetn 2024-06-10\n" + f"{CFG} ser CFG-7\n", {}, []),  # the commit restarts
    ("UPD-066", TIMES + CHECK + f"{CFG} reset CFG-7\n", {}, []),
    ("UPD-066", TIMES + CHECK + f"config activate\n{CFG} ser CFG-7\n", {}, [4]),  # activation before it
    ("UPD-066", f"{CFG} ser CFG-7\n", PAYLOAD, []),  # UPD-065's finding
    ("UPD-066", TIMES + CHECK + "mod cmd UP0 cfg ser CFG-7\n", {}, []),  # URL lost: UPD-010's
    ("UPD-067", TIMES + BACKUP + CHECK + "mod cmd UP0 cfg http://10.0.0.5/backup/IP6010-0a-1b-2c-3.txt ser R3\nconfig activate\n", {}, [4]),
    ("UPD-067", TIMES + "mod cmd UP0 scfg http://10.0.0.5/saved/#m.txt\n" + CHECK + "mod cmd UP0 cfg http://10.0.0.5/saved/00-90-33-12-34-56.txt ser R3\nconfig activate\n", {}, [4]),
    ("UPD-067", TIMES + CHECK + "mod cmd UP0 cfg http://10.0.0.5/update.php?mode=backup&hwid=IP232-30-00-af ser R\nconfig activate\n", {}, [3]),
    ("UPD-067", TIMES + CHECK + "mod cmd UP0 cfg http://10.0.0.5/restore/IP232-30-00-af.2.txt ser R\nconfig activate\n", {}, [3]),
    ("UPD-067", TIMES + BACKUP + CHECK + f"{CFG} ser CFG-7\nconfig activate\n", {}, []),
    ("UPD-067", TIMES + CHECK + "mod cmd UP0 cfg http://10.0.0.5/cfg/phones-common.txt ser C\nconfig activate\n", {}, []),
]


@pytest.mark.parametrize("code,text,settings,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_catches(code, text, settings, expected):
    assert lines(code, text, **settings) == expected


def test_payload_rule_points_at_the_module():
    text = "config change TIME /ntp1 10.0.0.1\r\nmod cmd UP0 cfg http://10.0.0.5/cfg/x.txt ser C1\r\n"
    (found,) = findings("UPD-065", text, mode="cfg-payload")
    assert text[found.span.start : found.span.end] == "UP0"


def test_cfg_activation_fix_is_unsafe_and_works():
    text = TIMES + CHECK + f"{CFG} ser CFG-7\n"
    (found,) = findings("UPD-066", text)
    assert found.fix is not None and not found.fix.safe
    result = apply_edits(text, found.fix.edits)
    assert result == TIMES + CHECK + f"{CFG} ser CFG-7\nconfig activate\n"
    assert lines("UPD-066", result) == []


def test_backup_match_relates_to_the_scfg():
    text = TIMES + BACKUP + CHECK + "mod cmd UP0 cfg http://10.0.0.5/backup/IP6010-0a-1b-2c-3.txt ser R3\n"
    (found,) = findings("UPD-067", text)
    assert found.related and found.related[0].span.line == 2
    assert "line 2" in found.message


def test_backup_pattern_does_not_cross_folders():
    text = TIMES + "mod cmd UP0 scfg http://10.0.0.5/keep/#h.txt\n" + CHECK + \
        "mod cmd UP0 cfg http://10.0.0.5/keep/cfg/site.txt ser R3\nconfig activate\n"
    assert lines("UPD-067", text) == []
