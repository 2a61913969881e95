"""Group I rules (configuration commands, UP1 housekeeping): catches / catches-not."""

from __future__ import annotations

import pytest

from rule_helpers import findings, fixed, lines

TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
CHECK = "mod cmd UP1 check iresetn 2024-06-01\n"
CHECK_SER = "mod cmd UP1 check ser 2024-06-01\n"
DONE = "config write\nconfig activate\n"
PAYLOAD = {"mode": "cfg-payload"}


CASES = [
    ("UPD-070", TIMES + CHECK + "config add CMD0 /name Lobby\nconfig activate\n", {}, [3]),
    ("UPD-070", TIMES + CHECK + "config change UP1 /url http://h/ /poll 15\nconfig add CMD0 /name R\nconfig activate\n", {}, [3, 4]),
    ("UPD-070", TIMES + CHECK + "config add CMD0 /name Lobby\n" + DONE, {}, []),
    ("UPD-070", TIMES + CHECK + "config write\nconfig add CMD0 /name Lobby\nconfig activate\n", {}, [4]),
    ("UPD-070", TIMES + CHECK + "CONFIG ADD CMD0 /name Lobby\nConfig Write\nconfig activate\n", {}, []),
    ("UPD-070", TIMES + CHECK + "config add CMD0 /name Lobby\nmod cmd UP0 cfg http://h/c.txt ser C\nconfig activate\n", {}, []),
    ("UPD-070", "config change CMD0 /name Lobby\n", PAYLOAD, []),
    ("UPD-070", TIMES + CHECK + "config write\nconfig activate\n", {}, []),
    ("UPD-071", TIMES + CHECK_SER + "config add CMD0 /name Lobby\nconfig write\n", {}, [3]),
    ("UPD-071", TIMES + CHECK_SER + "config add PHONE /lang de\nconfig add UP1 /poll 30\nconfig write\n", {}, [3, 4]),
    ("UPD-071", TIMES + CHECK_SER + "config add CMD0 /name Lobby\n" + DONE, {}, []),
    ("UPD-071", TIMES + CHECK + "config add CMD0 /name Lobby\nconfig write\n", {}, []),  # check restarts at the end
    ("UPD-071", TIMES + CHECK_SER + "config add CMD0 /name Lobby\nconfig write\niresetn\n", {}, []),
    ("UPD-071", TIMES + "config activate\n" + CHECK_SER + "config add CMD0 /name Lobby\nconfig write\n", {}, [4]),
    ("UPD-071", "config change CMD0 /name Lobby\n", PAYLOAD, []),
    ("UPD-072", TIMES + CHECK + "config change UP1 /url http://10.0.0.6/update/\n" + DONE, {}, [3]),
    ("UPD-072", TIMES + CHECK + "config change up1 /poll 30\n" + DONE, {}, [3]),
    ("UPD-072", TIMES + CHECK + "config add UP1 /url http://10.0.0.6/update/\n" + DONE, {}, []),
    ("UPD-072", TIMES + CHECK + "config change CMD0 /name x\n" + DONE, {}, []),
    ("UPD-072", "config change UP1 /url http://10.0.0.5/update/ /poll 15 /no-dhcp\n", PAYLOAD, []),
    ("UPD-073", TIMES + CHECK + "config add UP1 /poll 1\n" + DONE, {}, [3]),
    ("UPD-073", TIMES + CHECK + "config change UP1 /url http://h/ /poll 14\n" + DONE, {}, [3]),
    ("UPD-073", TIMES + CHECK + "config add UP1 /poll 15\n" + DONE, {}, []),
    ("UPD-073", TIMES + CHECK + "config add UP1 /poll 60\n" + DONE, {}, []),
    ("UPD-073", TIMES + CHECK + "config add CMD0 /poll 1\n" + DONE, {}, []),  # not the update client
    ("UPD-073", TIMES + CHECK + "config add UP1 /poll x\n" + DONE, {}, []),
    ("UPD-073", "config change UP1 /url http://h/ /poll 5\n", PAYLOAD, [1]),  # a payload deploys it too
    ("UPD-074", TIMES + "mod cmd UP1 poll\n", {}, [2]),
    ("UPD-074", TIMES + "mod cmd up1 poll\n", {}, [2]),
    ("UPD-074", TIMES + "mod cmd UP1 reinit\n", {}, []),
    ("UPD-075", TIMES + "mod cmd UP1 reinit\n", {}, [2]),
    ("UPD-075", TIMES + "mod cmd UP1 poll\n", {}, []),
    ("UPD-076", TIMES + CHECK + "config add UP1 /url http://10.0.0.5/update/ /poll 10\n" + DONE, {"target_version": "v13r3"}, [3]),
    ("UPD-076", TIMES + CHECK + "config add UP1 /url http://10.0.0.5/update/\n" + DONE, {"target_version": "v13r1"}, [3]),
    ("UPD-076", TIMES + CHECK + "config add UP1 /url http://10.0.0.5/update/\n" + DONE, {"target_version": "v12r2"}, []),
    ("UPD-076", TIMES + CHECK + "config add UP1 /url http://10.0.0.5/update/ /no-dhcp\n" + DONE, {"target_version": "v13r3"}, []),
    ("UPD-076", TIMES + CHECK + "config add UP1 /url http://10.0.0.5/update/\nconfig add UP1 /no-dhcp\n" + DONE, {"target_version": "v13r3"}, []),
    ("UPD-076", TIMES + CHECK + "config add UP1 /poll 30\n" + DONE, {"target_version": "v13r3"}, []),
    ("UPD-076", "config change UP1 /url http://10.0.0.5/update/ /poll 15\n", {"target_version": "v13r3", **PAYLOAD}, [1]),
]


@pytest.mark.parametrize("code,text,settings,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_catches(code, text, settings, expected):
    assert lines(code, text, **settings) == expected


def test_write_fix_goes_after_the_last_unwritten_change():
    text = TIMES + CHECK + "config add CMD0 /name A\nconfig add CMD0 /name B\nconfig activate\n"
    result = fixed("UPD-070", text)
    assert result == TIMES + CHECK + "config add CMD0 /name A\nconfig add CMD0 /name B\nconfig write\nconfig activate\n"
    assert lines("UPD-070", result) == []


def test_write_fix_keeps_crlf():
    text = (TIMES + CHECK + "config add CMD0 /name A\nconfig activate\n").replace("\n", "\r\n")
    assert "config add CMD0 /name A\r\nconfig write\r\nconfig activate\r\n" in fixed("UPD-070", text)


def test_activate_fix_goes_after_the_write():
    text = TIMES + CHECK_SER + "config add CMD0 /name Lobby\nconfig write\n"
    result = fixed("UPD-071", text)
    assert result == TIMES + CHECK_SER + "config add CMD0 /name Lobby\nconfig write\nconfig activate\n"
    assert lines("UPD-071", result) == []
    (found,) = findings("UPD-071", text)
    assert found.related and found.related[0].span.line == 2


def test_change_up1_fix_uses_add():
    text = TIMES + CHECK + "config change UP1 /url http://10.0.0.6/update/\n" + DONE
    assert fixed("UPD-072", text) == TIMES + CHECK + "config add UP1 /url http://10.0.0.6/update/\n" + DONE


def test_poll_points_at_the_value_and_fix_sets_15():
    text = TIMES + CHECK + "config add\tUP1  /poll 5\n" + DONE
    (found,) = findings("UPD-073", text)
    assert text[found.span.start : found.span.end] == "5"
    assert "config add\tUP1  /poll 15\n" in fixed("UPD-073", text)


def test_poll_and_reinit_fixes_delete_the_line():
    assert fixed("UPD-074", TIMES + "mod cmd UP1 poll\nconfig activate\n") == TIMES + "config activate\n"
    assert fixed("UPD-075", TIMES + "mod cmd UP1 reinit") == TIMES


def test_no_dhcp_fix_adds_the_flag():
    text = TIMES + CHECK + "config add UP1 /url http://10.0.0.5/update/\n" + DONE
    result = fixed("UPD-076", text, target_version="v13r3")
    assert result == TIMES + CHECK + "config add UP1 /url http://10.0.0.5/update/\nconfig add UP1 /no-dhcp\n" + DONE
    assert lines("UPD-076", result, target_version="v13r3") == []


def test_missing_arguments_do_not_crash():
    for text in ("config\n", "config add\n", "config change UP1\n", "config add UP1 /poll\n", "mod cmd UP1\n"):
        for code in ("UPD-070", "UPD-071", "UPD-072", "UPD-073", "UPD-074", "UPD-075", "UPD-076"):
            assert all("internal error" not in d.message for d in findings(code, text, target_version="v13r3"))
