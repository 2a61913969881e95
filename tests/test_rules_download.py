"""Group E rules (prot, boot, bmc, WLAN): catches / catches-not, one snippet each."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innoscript.lint import Settings, Severity, lint_source, lint_text
from innoscript.lint.fixes import apply_edits
from innoscript.source import Source
from rule_helpers import findings, fixed, lines

TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
PROT = "mod cmd UP0 prot http://10.0.0.5/fw/ip.bin"
BOOT = "mod cmd UP0 boot http://10.0.0.5/fw/boot.bin"
BMC = "mod cmd UP0 bmc http://10.0.0.5/fw/PCS04fd.bin"


CASES = [
    # code, text, settings, expected lines
    ("UPD-040", TIMES + f"{PROT} ireset 07-60600.03\n", {}, [2]),
    ("UPD-040", TIMES + f"{PROT} ireset 07-6060003\n", {}, []),
    ("UPD-040", TIMES + f"{PROT} ireset FW-2024\n", {}, [2]),
    ("UPD-040", TIMES + f"{BOOT} ireboot 140\n", {}, []),  # boot serials are plain numbers
    ("UPD-040", TIMES + f"{PROT} ireset #F\n", {}, []),  # a '#' serial is UPD-037/060's
    ("UPD-040", TIMES + "mod cmd UP0 prot ireset 07-60600.03\n", {}, []),  # URL lost: other reading
    ("UPD-041", TIMES + "mod cmd UP0 prot http://10.0.0.5/fw/13-5001234/ ireset 13-5001235\n", {}, [2]),
    ("UPD-041", TIMES + "mod cmd UP0 prot http://10.0.0.5/fw/13-5001235/ ireset 13-5001235\n", {}, []),
    ("UPD-041", TIMES + "mod cmd UP0 prot http://10.0.0.5/fw/13-5001234.bin ireset 13-5001235\n", {}, [2]),
    ("UPD-041", TIMES + "mod cmd UP0 prot http://10.0.0.5/fw/07-60600.03/ ireset 07-6060003\n", {}, []),
    ("UPD-041", TIMES + "mod cmd UP0 boot http://10.0.0.5/fw/13-5001234/boot232.bin ser 140\niresetn\n", {}, []),
    ("UPD-041", TIMES + f"{PROT} ireset 20240611-013000\n", {}, [2]),
    ("UPD-041", TIMES + f"{BOOT} ireset 20240611-013000\n", {}, [2]),
    ("UPD-041", TIMES + f"{PROT} ireset 2024-06-11\n", {}, []),  # a plain date is fine
    ("UPD-042", TIMES + f"{PROT} ser 13-1\n{PROT} ser 13-2\niresetn\n", {}, [3]),
    ("UPD-042", TIMES + f"{PROT} ser 13-1\n{BOOT} ser 140\n{BMC} ser PCS1\niresetn\n", {}, []),
    ("UPD-042", "mod cmd UP0 cfg http://h/a.txt ser A\nmod cmd UP0 cfg http://h/b.txt ser B\nmod cmd UP0 cfg http://h/c.txt ser C\n", {}, [2, 3]),
    ("UPD-042", "mod cmd UP0 cfg http://h/a.txt ser A\nmod cmd UP0 cfg http://h/b.txt ser B\n", {"mode": "cfg-payload"}, []),
    ("UPD-043", TIMES + f"{BOOT} ireset 205\n", {}, [2]),
    ("UPD-043", TIMES + f"{BOOT} RESET 205\n", {}, [2]),
    ("UPD-043", TIMES + f"{BOOT} ireboot 205\n", {}, []),
    ("UPD-043", TIMES + f"{BOOT} ireset 205\n", {"model": "IP21"}, []),  # no reboot on IP21
    ("UPD-043", TIMES + f"{BOOT} ireset 205\n", {"target_version": "v6"}, []),  # no reboot yet
    ("UPD-043", TIMES + f"{PROT} ireset 13-1\n", {}, []),
    ("UPD-044", TIMES + f"{BOOT} ireboot 205\n", {"model": "IP21"}, [2]),
    ("UPD-044", TIMES + f"{BOOT} ser 205\nireboot\n", {"model": "IP21"}, [3]),
    ("UPD-044", TIMES + "mod cmd UP1 check reboot 2024-06-01\n", {"model": "IP21"}, [2]),
    ("UPD-044", TIMES + f"{BOOT} ireboot 205\n", {"model": "IP1200"}, []),
    ("UPD-044", TIMES + f"{BOOT} ireboot 205\n", {"target_version": "v6"}, [2]),
    ("UPD-044", TIMES + f"{BOOT} ireboot 205\n", {"target_version": "v6sr2hf3"}, []),
    ("UPD-044", TIMES + f"{BOOT} ireboot 205\n", {}, []),
    ("UPD-045", TIMES + f"{BMC} ireset PCS04fd\n", {"model": "IP800"}, [2]),
    ("UPD-045", TIMES + f"{BMC} ireset PCS04fd\n", {"model": "IP1200"}, []),
    ("UPD-045", TIMES + f"{BMC} ireset PCS04fd\n", {"model": "IPBS"}, []),
    ("UPD-045", TIMES + f"{BMC} ireset PCS04fd\n", {}, []),  # model unknown
    ("UPD-046", TIMES + f"{PROT} ireset 13-1\n", {"model": "IP72"}, [2]),
    ("UPD-046", TIMES + f"{BOOT} ireset 140\n", {"model": "IP72"}, [2]),
    ("UPD-046", TIMES + f"mod cmd WLANMGR0 activate-pwr\n{PROT} ireset 13-1\nmod cmd WLANMGR0 deactivate-pwr\n", {"model": "IP72"}, []),
    (
        "UPD-046",
        TIMES + f"mod cmd WLANMGR0 activate-pwr\nmod cmd WLANMGR0 deactivate-pwr\n{PROT} ireset 13-1\n",
        {"model": "IP72"},
        [4],
    ),
    ("UPD-046", TIMES + f"{PROT} ireset 13-1\n", {"model": "IP232"}, []),
    ("UPD-046", TIMES + f"{PROT} ireset 13-1\n", {}, []),
    ("UPD-047", TIMES + f"mod cmd WLANMGR0 activate-pwr\n{PROT} ser 13-1\niresetn\n", {}, [2]),
    ("UPD-047", TIMES + f"mod cmd WLANMGR0 activate-pwr\n{PROT} ireset 13-1\nmod cmd WLANMGR0 deactivate-pwr\n", {}, []),
    ("UPD-047", TIMES + "mod cmd WLANMGR0 deactivate-pwr\n", {}, []),
    ("UPD-048", TIMES + "mod cmd WLANMGR0 activate-pwr\nmod cmd WLANMGR0 deactivate-pwr\n", {"model": "IP232"}, [2, 3]),
    ("UPD-048", TIMES + "mod cmd wlanmgr0 activate-pwr\n", {"model": "IP800"}, [2]),
    ("UPD-048", TIMES + "mod cmd WLANMGR0 activate-pwr\n", {"model": "IP72"}, []),
    ("UPD-048", TIMES + "mod cmd WLANMGR0 activate-pwr\n", {}, []),
    ("UPD-049", TIMES + f"{PROT} ser 13-1\n", {}, [2]),
    ("UPD-049", TIMES + f"{PROT} no-op 13-1\n", {}, [2]),
    ("UPD-049", TIMES + f"{PROT} ser 13-1\n{BOOT} ser 140\n", {}, [2, 3]),
    ("UPD-049", TIMES + f"{PROT} ser 13-1\n{BOOT} ser 140\niresetn\n", {}, []),
    ("UPD-049", TIMES + f"{PROT} ser 13-1\nreset\n", {}, []),
    ("UPD-049", TIMES + f"mod cmd UP1 check iresetn 2024-06-01\n{PROT} ser 13-1\n", {}, []),  # pending check restarts
    ("UPD-049", TIMES + f"{PROT} ser 13-1\nmod cmd UP1 check ireset 2024-06-01\n", {}, []),
    ("UPD-049", TIMES + f"{PROT} ser 13-1\nmod cmd UP1 check ser 2024-06-01\n", {}, [2]),
    ("UPD-049", TIMES + f"{PROT} ser 13-1\n{BOOT} ireboot 140\n", {}, [2]),  # runs only if boot downloads
    ("UPD-049", TIMES + f"iresetn\n{PROT} ser 13-1\n", {}, [3]),  # the restart is before it
    ("UPD-049", TIMES + f"{PROT} ireset 13-1\n", {}, []),
    ("UPD-049", TIMES + "mod cmd UP0 cfg http://10.0.0.5/cfg/a.txt ser C1\n", {}, []),  # cfg: UPD-066
    ("UPD-050", TIMES + f"{PROT} ireset 13-1\n{BOOT} ireboot 140\n", {}, [2]),
    ("UPD-050", TIMES + f"{PROT} iresetn 13-1\n{BOOT} ser 140\n{BMC} ireset PCS1\n", {}, [2]),
    ("UPD-050", TIMES + f"{PROT} ireset 13-1\n{PROT} ireset 13-2\n{BMC} ireset PCS1\n", {}, [2, 3]),
    ("UPD-050", TIMES + f"{PROT} ser 13-1\n{BOOT} ser 140\nireboot\n", {}, []),
    ("UPD-050", TIMES + f"{PROT} ireset 13-1\n", {}, []),
    ("UPD-049", f"{PROT} ser 13-1\n", {"mode": "cfg-payload"}, []),  # nested: UPD-065's
    ("UPD-050", f"{PROT} ireset 13-1\n{BOOT} ireboot 140\n", {"mode": "cfg-payload"}, []),
]


@pytest.mark.parametrize("code,text,settings,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_catches(code, text, settings, expected):
    assert lines(code, text, **settings) == expected


def test_crlf_and_tabs_keep_positions():
    text = "mod cmd UP1 times /allow 23,0,1 /initial 6\r\nmod\tcmd  UP0 prot\thttp://10.0.0.5/fw/ip.bin  ireset\t07-60600.03\r\n"
    (found,) = findings("UPD-040", text)
    assert (found.span.line, found.span.col) == (2, 53)
    assert text[found.span.start : found.span.end] == "07-60600.03"


def test_dotted_serial_fix_removes_the_dot_and_is_unsafe():
    text = TIMES + f"{PROT} ireset 07-60600.03\n"
    (found,) = findings("UPD-040", text)
    assert found.fix is not None and not found.fix.safe
    assert fixed("UPD-040", text) == TIMES + f"{PROT} ireset 07-6060003\n"


def test_loop_risk_points_at_the_url():
    text = TIMES + "mod cmd UP0 prot http://10.0.0.5/fw/13-5001234/ ireset 13-5001235\n"
    (found,) = findings("UPD-041", text)
    assert "13-5001234" in found.message
    assert found.related and found.related[0].span.line == 2


def test_duplicate_kind_relates_to_the_first():
    text = TIMES + f"{PROT} ser 13-1\n{PROT} ser 13-2\niresetn\n"
    (found,) = findings("UPD-042", text)
    assert found.related[0].span.line == 2


def test_boot_fix_uses_reboot_words():
    assert fixed("UPD-043", TIMES + f"{BOOT} ireset 205\n") == TIMES + f"{BOOT} ireboot 205\n"
    assert fixed("UPD-043", TIMES + f"{BOOT} reset 205\n") == TIMES + f"{BOOT} reboot 205\n"


def test_reboot_severity_depends_on_why():
    text = TIMES + f"{BOOT} ireboot 205\n"
    (on_ip21,) = findings("UPD-044", text, model="IP21")
    (too_old,) = findings("UPD-044", text, target_version="v6")
    assert on_ip21.severity == Severity.ERROR
    assert too_old.severity == Severity.WARNING
    (both,) = findings("UPD-044", text, model="IP21", target_version="v5")
    assert both.severity == Severity.ERROR
    assert fixed("UPD-044", text, model="IP21") == TIMES + f"{BOOT} ireset 205\n"


def test_configured_severity_still_wins_for_reboot():
    text = TIMES + f"{BOOT} ireboot 205\n"
    settings = Settings(select=("UPD-044",), model="IP21", severity={"UPD-044": Severity.HINT})
    (found,) = [d for d in lint_text(text, "x.htm", settings) if d.code == "UPD-044"]
    assert found.severity == Severity.HINT


def test_model_comes_from_the_file_name():
    text = TIMES + f"{BMC} ireset PCS04fd\n"
    assert lines("UPD-045", text, path="update-ip800.htm") == [2]
    assert lines("UPD-045", text, path="update-ip1200.htm") == []


def test_activate_pwr_fix_wraps_the_download():
    text = TIMES + f"{PROT} ireset 13-1\n"
    assert fixed("UPD-046", text, model="IP72") == (
        TIMES + f"mod cmd WLANMGR0 activate-pwr\n{PROT} ireset 13-1\nmod cmd WLANMGR0 deactivate-pwr\n"
    )
    assert lines("UPD-046", fixed("UPD-046", text, model="IP72"), model="IP72") == []


def test_activate_pwr_fix_keeps_an_existing_deactivate_and_crlf():
    text = TIMES.replace("\n", "\r\n") + f"{PROT} ireset 13-1\r\nmod cmd WLANMGR0 deactivate-pwr\r\n"
    result = fixed("UPD-046", text, model="IP72")
    assert result == TIMES.replace("\n", "\r\n") + f"mod cmd WLANMGR0 activate-pwr\r\n{PROT} ireset 13-1\r\nmod cmd WLANMGR0 deactivate-pwr\r\n"


def test_deactivate_fix_goes_after_the_last_download():
    text = TIMES + f"mod cmd WLANMGR0 activate-pwr\n{PROT} ser 13-1\n{BOOT} ser 140\niresetn\n"
    result = fixed("UPD-047", text)
    assert result == TIMES + f"mod cmd WLANMGR0 activate-pwr\n{PROT} ser 13-1\n{BOOT} ser 140\nmod cmd WLANMGR0 deactivate-pwr\niresetn\n"
    (found,) = findings("UPD-047", text)
    assert found.fix.safe


def test_activate_without_download_has_no_fix():
    (found,) = findings("UPD-047", TIMES + "mod cmd WLANMGR0 activate-pwr\n")
    assert found.fix is None


def test_ser_download_fix_appends_iresetn_even_without_final_newline():
    text = TIMES + f"{PROT} ser 13-1"
    result = fixed("UPD-049", text)
    assert result == TIMES + f"{PROT} ser 13-1\niresetn"
    assert lines("UPD-049", result) == []
    crlf = TIMES.replace("\n", "\r\n") + f"{PROT} ser 13-1\r\n"
    assert fixed("UPD-049", crlf).endswith("ser 13-1\r\niresetn\r\n")


def test_restart_between_downloads_relates_to_the_waiting_one():
    text = TIMES + f"{PROT} ireset 13-1\n{BOOT} ireboot 140\n"
    (found,) = findings("UPD-050", text)
    assert found.related[0].span.line == 3
    assert "line 3" in found.message


def test_missing_arguments_do_not_crash():
    for text in ("mod cmd UP0 prot\n", "mod cmd UP0 boot http://10.0.0.5/\n", "mod cmd UP0 bmc\n", "mod cmd WLANMGR0\n"):
        for code in ("UPD-040", "UPD-041", "UPD-042", "UPD-043", "UPD-044", "UPD-045", "UPD-046", "UPD-047", "UPD-048", "UPD-049", "UPD-050"):
            for found in findings(code, text, model="IP72"):
                assert "internal error" not in found.message


CLEAN = Path(__file__).resolve().parent.parent / "corpus" / "clean"


@pytest.mark.skipif(not CLEAN.is_dir(), reason="corpus/clean not present")
@pytest.mark.parametrize("group", ["download", "scfg", "meta", "cfg", "config"])
def test_clean_corpus_has_no_warning(group):
    problems = []
    for path in sorted(CLEAN.iterdir()):
        if not path.is_file():
            continue
        source = Source.from_bytes(path.read_bytes(), str(path))
        for d in lint_source(source, Settings(select=(group,))):
            if d.severity >= Severity.WARNING:
                problems.append(f"{path.name}:{d.span.line} {d.code} {d.message}")
    assert problems == []


# -- any script: the rules of groups E-I never crash and point inside the text --------

WORDS = [
    "mod", "cmd", "UP0", "UP1", "up0", "WLANMGR0", "prot", "boot", "bmc", "scfg", "cfg", "check", "times",
    "poll", "reinit", "activate-pwr", "deactivate-pwr", "config", "add", "change", "write", "activate", "UP1",
    "CMD0", "vars", "create", "ser", "ireset", "reset", "iresetn", "reboot", "ireboot", "no-op", "/force",
    "/always", "/url", "/poll", "/no-dhcp", "/name", "168", "1", "13-5001234", "07-60600.03", "20240611-013000",
    "http://10.0.0.5/fw/", "http://10.0.0.5/bak/#h-#b5.txt", "http://10.0.0.5/cfg/#m.txt", "http://h/#n/#t",
    "http://10.0.0.5/backup/IP232-30-00-af.txt", "#", "#d", "",
]
LINES = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
SCRIPTS = st.tuples(st.lists(LINES, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
MODELS = st.sampled_from([None, "IP72", "IP21", "IP1200", "IP800"])
TARGETS = st.sampled_from(["v5", "v6", "v7", "v10", "v13r3"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRIPTS, MODELS, TARGETS, st.sampled_from(["script", "cfg-payload"]))
def test_groups_e_to_i_never_crash_and_point_inside_the_text(script, model, target, mode):
    lines, newline, final_newline = script
    text = newline.join(lines) + (newline if final_newline and lines else "")
    result = lint_text(
        text, "update-example.htm",
        Settings(select=("download", "scfg", "meta", "cfg", "config"), model=model, target_version=target, mode=mode),
    )
    for found in result:
        assert "internal error" not in found.message, found.message
        assert 0 <= found.span.start <= found.span.end <= len(text)
        if found.fix is not None:
            apply_edits(text, found.fix.edits)  # raises when edits overlap or fall outside
