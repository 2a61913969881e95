"""Rules of catalogue section D (`check`): catches / catches-not."""

from __future__ import annotations

import pytest

from innoscript.lint import Severity
from innoscript.lint.fixes import apply_edits
from rule_helpers import findings, hits


def script(*lines: str, newline: str = "\n") -> str:
    return newline.join(lines) + newline


TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6"
CHECK = "mod cmd UP1 check iresetn 2024-06-01"
SCFG = "mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b5.txt ser WEEKLY /force 168"
PROT_IRESET = "mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ireset 13-5001234"
PROT_SER = "mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ser 13-5001234"
NAME = "config add CMD0 /name Lobby"


# -- UPD-030 check arguments ----------------------------------------------------------


@pytest.mark.parametrize("text, word", [
    ("mod cmd UP1 check 2024-06-01", "one word"),
    ("mod cmd UP1 check iresetn", "no serial"),
    ("mod cmd UP1 check", "no final command"),
    ("mod cmd UP1 check\tIRESETN\r\n", "no serial"),
])
def test_check_arguments_catches(text, word):
    (diagnostic,) = findings("UPD-030", text)
    assert (diagnostic.span.line, diagnostic.span.col) == (1, 13) and word in diagnostic.message


@pytest.mark.parametrize("text", [CHECK, "mod cmd UP1 check ser 3c9e1f0a7b52d4e86a1f0c2d9b7e5a43", "mod cmd UP1 check iresetn 1 x"])
def test_check_arguments_catches_not(text):
    assert hits("UPD-030", text) == []


# -- UPD-031 state changes before check ---------------------------------------------------


@pytest.mark.parametrize("above", [
    NAME,
    "config write",
    "vars create PHONE/LANG p de",
    PROT_SER,
    "mod cmd UP0 cfg http://10.0.0.5/c.txt ser 1",
    "mod cmd UP1 reinit",
])
def test_changes_before_check_catches(above):
    text = script(TIMES, above, CHECK, "config add CMD0 /name x", "config write")
    (diagnostic,) = findings("UPD-031", text)
    assert (diagnostic.span.line, diagnostic.span.col) == (3, 13)
    assert diagnostic.related[0].span.line == 2


@pytest.mark.parametrize("text", [
    script(TIMES, SCFG, CHECK, NAME, "config write"),  # times and a backup are fine
    script(SCFG, TIMES, "# comment", CHECK, NAME),
    script(TIMES, "mod cmd WLANMGR0 activate-pwr", CHECK, NAME),
    script(TIMES, "vars read PHONE/LANG", CHECK, NAME),
    # record-only position (UPD-033): the official server's pattern
    script(SCFG, TIMES, PROT_SER, "iresetn", NAME, "config write", "mod cmd UP1 check ser 3c9e", "iresetn"),
    script(NAME, "config write", CHECK),
    script(NAME),
])
def test_changes_before_check_catches_not(text):
    assert hits("UPD-031", text) == []


def test_changes_before_check_reported_once_on_the_first_check():
    text = script(NAME, CHECK, "mod cmd UP1 check reset 2", "config write")
    assert hits("UPD-031", text) == [(2, 13)]


# -- UPD-032 several checks ----------------------------------------------------------------


def test_several_checks():
    text = script(CHECK, NAME, "mod cmd UP1 check iresetn 2", "mod cmd UP1 check iresetn 3")
    assert hits("UPD-032", text) == [(3, 13), (4, 13)]
    assert hits("UPD-032", script(TIMES, CHECK, NAME)) == []


# -- UPD-033 record-only check ----------------------------------------------------------------


@pytest.mark.parametrize("text, reported", [
    (script(TIMES, NAME, "config write", CHECK, "iresetn"), True),
    (script(TIMES, NAME, "config write", CHECK), True),
    (script(TIMES, NAME, CHECK, "# end", "", "iresetn", "reset", newline="\r\n"), True),
    (script(TIMES, CHECK, NAME, "config write"), False),
    (script(TIMES, CHECK, "iresetn", NAME), False),
    (script(TIMES, CHECK, "ser"), False),  # `ser` restarts nothing, but it is a command that runs
])
def test_check_records_only(text, reported):
    found = findings("UPD-033", text)
    assert bool(found) == reported
    assert all(d.severity == Severity.INFO for d in found)


# -- UPD-034 restart inside the guarded part ------------------------------------------------------


def test_restart_inside_check_with_fix():
    text = script(CHECK, PROT_IRESET, NAME, "config write", "config activate")
    (diagnostic,) = findings("UPD-034", text)
    assert (diagnostic.span.line, diagnostic.span.col) == (2, 47)
    assert not diagnostic.fix.safe
    assert apply_edits(text, diagnostic.fix.edits) == script(CHECK, PROT_SER, NAME, "config write", "config activate")


@pytest.mark.parametrize("final", ["reset", "ireset", "reboot", "ireboot"])
def test_restarting_finals(final):
    text = script(CHECK, f"mod cmd UP0 boot http://10.0.0.5/b.bin {final} 140", NAME)
    assert hits("UPD-034", text) == [(2, 40)]


def test_no_fix_when_the_check_would_not_restart():
    text = script("mod cmd UP1 check ser 1", PROT_IRESET, NAME)
    (diagnostic,) = findings("UPD-034", text)
    assert diagnostic.fix is None


@pytest.mark.parametrize("text", [
    script(CHECK, PROT_SER, NAME, "iresetn"),
    script(CHECK, "mod cmd UP0 prot http://10.0.0.5/fw/ iresetn 1", NAME),  # only if required
    script(CHECK, NAME, "config write", PROT_IRESET),  # the last line: nothing is cut off
    script(CHECK, NAME, PROT_IRESET, "# end", ""),
    script(PROT_IRESET, CHECK, NAME),  # above the check: UPD-031's business
    script(TIMES, PROT_IRESET, NAME),  # no check at all
    script(CHECK, "mod cmd UP0 prot ireset 04-5656", NAME),  # URL lost: UPD-010
])
def test_restart_inside_check_catches_not(text):
    assert hits("UPD-034", text) == []


# -- UPD-035 immediate restart -------------------------------------------------------------


@pytest.mark.parametrize("final, fixed", [("reset", "ireset"), ("reboot", "ireboot"), ("resetn", "iresetn"), ("RESET", "ireset")])
def test_check_immediate_restart(final, fixed):
    text = f"mod cmd UP1 check {final} 2024-06-01"
    (diagnostic,) = findings("UPD-035", text)
    assert (diagnostic.span.line, diagnostic.span.col) == (1, 19)
    assert apply_edits(text, diagnostic.fix.edits) == f"mod cmd UP1 check {fixed} 2024-06-01"
    assert not diagnostic.fix.safe


@pytest.mark.parametrize("final", ["ireset", "iresetn", "ireboot", "ser", "restart"])
def test_check_immediate_restart_catches_not(final):
    assert hits("UPD-035", f"mod cmd UP1 check {final} 2024-06-01") == []


def test_check_immediate_restart_skips_short_lines():
    assert hits("UPD-035", "mod cmd UP1 check reset") == []


# -- UPD-037 serials ----------------------------------------------------------------------


@pytest.mark.parametrize("serial", [
    "#d",
    "v1#2",
    "2024/06/01",
    "serial,1",
    "20051010-170130",
    "2024-06-01T12:30",
    "2024-06-01_1230",
    "build-20240601-1230",
])
def test_suspicious_serial_catches(serial):
    assert hits("UPD-037", f"mod cmd UP1 check iresetn {serial}") == [(1, 27)]


@pytest.mark.parametrize("serial", [
    "2024-06-01", "2024-06-01a", "2024-06-12-1", "20240601", "13-5021837", "07-60600.03",
    "3c9e1f0a7b52d4e86a1f0c2d9b7e5a43", "PCS13ab", "WEEKLY", "room-2.14-v3", "CFG:7",
])
def test_suspicious_serial_catches_not(serial):
    assert hits("UPD-037", f"mod cmd UP1 check iresetn {serial}") == []


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot http://10.0.0.5/fw/ ser #F",
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt ser 20240601-120000",
    "mod cmd UP0 cfg http://10.0.0.5/c.txt ser a&b",
])
def test_every_serial_is_checked(text):
    assert len(hits("UPD-037", text)) == 1


def test_meta_in_a_url_is_not_a_serial():
    assert hits("UPD-037", "mod cmd UP0 scfg http://10.0.0.5/#h-#d.txt ser WEEKLY") == []
