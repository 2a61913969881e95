"""The command catalogue (issue: foundation, item 5)."""

from __future__ import annotations

import pytest

from innoscript import catalog


def test_every_spec_command_is_catalogued():
    expected = {
        ("UP0", v) for v in ("prot", "boot", "bmc", "scfg", "cfg")
    } | {("UP1", v) for v in ("check", "times", "poll", "reinit", "provision")} | {
        ("WLANMGR0", "activate-pwr"), ("WLANMGR0", "deactivate-pwr")
    }
    assert {(c.module, c.verb) for c in catalog.COMMANDS} == expected


@pytest.mark.parametrize("command", catalog.COMMANDS, ids=lambda c: f"{c.module}-{c.verb}")
def test_entries_are_complete(command):
    assert command.doc and command.summary and command.spec
    assert command.since in catalog.VERSIONS
    assert command.syntax.startswith(f"mod cmd {command.module} {command.verb}")
    for var in (command.reads, command.writes):
        assert var is None or var in catalog.UPDATE_VARS


def test_download_commands_read_and_write_their_variable():
    for verb, var in (("prot", "PROT"), ("boot", "BOOT"), ("bmc", "BMC"), ("cfg", "CFG"), ("scfg", "SCFG")):
        command = catalog.lookup("UP0", verb)
        assert command.reads == command.writes == var


def test_lookup_case_and_alias():
    assert catalog.lookup("up1", "time") is catalog.lookup("UP1", "times")
    assert catalog.lookup("UP0", "firmware") is None


def test_final_commands():
    finals = catalog.FINAL_COMMANDS
    assert set(finals) == {"ireset", "reset", "iresetn", "resetn", "ser", "ireboot", "reboot"}
    assert not finals["ser"].restarts
    assert finals["iresetn"].only_if_required and finals["iresetn"].when_idle
    assert finals["reboot"].since == "v6sr2hf3" and "IP21" in finals["reboot"].not_on


def test_meta_sequences():
    assert set(catalog.META_SEQUENCES) == {"#F", "#B", "#H", "#h", "#m", "#d", "#b", "#i", "#t"}
    assert not catalog.META_SEQUENCES["#t"].documented
    found = [m.group() for m in catalog.META_PATTERN.finditer("x/#h-#b5-#bn-#m-#z-#")]
    assert found == ["#h", "#b5", "#bn", "#m", "#z", "#"]
    assert catalog.meta_code("#b5") == "#b" and catalog.meta_code("#bn") == "#b"


def test_models():
    assert catalog.MODELS["IP1200"].dect and not catalog.MODELS["IP800"].dect
    assert catalog.MODELS["IP72"].wlan
    assert not catalog.MODELS["IP21"].reboot
    assert catalog.MODELS["IP1200"].script_name == "update-ip1200.htm"
    assert catalog.MODELS["IP1200"].firmware_name == "IP1200.bin"
    assert catalog.model_from_filename("/srv/www/update-ip72.htm").name == "IP72"
    assert catalog.model_from_filename("update-IPBL") .name == "IPBL"
    assert catalog.model_from_filename("site.htm") is None


def test_versions_are_ordered():
    assert catalog.version_index("v6") < catalog.version_index("v6sr2hf3") < catalog.version_index("v7")
    assert catalog.normalize_version("13r3") == "v13r3"
    with pytest.raises(ValueError):
        catalog.version_index("v99")
