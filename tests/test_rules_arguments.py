"""Rules of catalogue section B (arguments and URLs): catches / catches-not."""

from __future__ import annotations

import pytest

from rule_helpers import findings, hits


# -- UPD-010 missing URL ---------------------------------------------------------------


@pytest.mark.parametrize("text, at", [
    ("mod cmd UP0 prot /ser 04-5679", (1, 18)),
    ("mod cmd UP0 prot ireset 04-5656", (1, 18)),
    ("mod cmd UP0 boot", (1, 13)),
    ("mod cmd UP0 bmc 192.168.0.10/firm/PCS04fd.bin ireset PCS04fd", (1, 17)),
    ("mod cmd UP0 scfg no-op WEEKLY /force 168  ", (1, 18)),
    ("mod cmd UP0 cfg /url http://10.0.0.5/c.txt ser 1", (1, 17)),
    ("mod cmd up0 prot\tireset\t04-5656\r\n", (1, 18)),
])
def test_missing_url_catches(text, at):
    assert hits("UPD-010", text) == [at]


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot http://10.0.0.5/fw/ ser 04-5679",
    "mod cmd UP0 prot ftp://10.0.0.5/fw/ ser 04-5679",  # a URL, wrong scheme: UPD-013
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt",
    "mod cmd UP1 check iresetn 1",
    "# mod cmd UP0 prot /ser 04-5679",
])
def test_missing_url_catches_not(text):
    assert hits("UPD-010", text) == []


def test_missing_url_says_why():
    (lost,) = findings("UPD-010", "mod cmd UP0 prot ireset 04-5656")
    assert "final command" in lost.message
    (option,) = findings("UPD-010", "mod cmd UP0 prot /ser 04-5679")
    assert "`/ser`" in option.message


# -- UPD-011 missing positionals -----------------------------------------------------------


@pytest.mark.parametrize("text", [
    "mod cmd UP0 cfg http://10.0.0.5/prov/config?mac=00-90-33-12-34-56 iresetn",
    "mod cmd UP0 prot http://10.0.0.5/fw/",
    "mod cmd UP0 boot http://10.0.0.5/fw/b.bin 140",
    "mod cmd UP0 bmc http://10.0.0.5/fw/PCS.bin ireset",
    "mod cmd UP1 provision",
])
def test_missing_arguments_catches(text):
    assert hits("UPD-011", text) == [(1, 13)]


@pytest.mark.parametrize("text", [
    "mod cmd UP0 cfg http://10.0.0.5/c.txt iresetn CFG-1",
    "mod cmd UP0 prot ireset 04-5656",  # URL lost: UPD-010
    "mod cmd UP0 prot /ser 04-5679",
    "mod cmd UP1 check 2024-06-01",  # UPD-030
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt",  # scfg's arguments are optional
    "mod cmd UP1 provision 0",
    "mod cmd UP1 poll",
])
def test_missing_arguments_catches_not(text):
    assert hits("UPD-011", text) == []


def test_missing_arguments_names_what_is_missing():
    (serial,) = findings("UPD-011", "mod cmd UP0 cfg http://10.0.0.5/c.txt iresetn")
    assert "<serial>" in serial.message
    (either,) = findings("UPD-011", "mod cmd UP0 cfg http://10.0.0.5/c.txt CFG-1")
    assert "final command or the serial" in either.message


# -- UPD-012 unknown times option --------------------------------------------------------------


@pytest.mark.parametrize("text, at", [
    ("mod cmd UP1 times /allow 22,23,0 /days 1-5", (1, 34)),
    ("mod cmd UP1 times /Allow 22,23", (1, 19)),
    ("mod cmd UP1 time /weekdays", (1, 18)),
])
def test_unknown_times_option_catches(text, at):
    assert hits("UPD-012", text) == [at]


@pytest.mark.parametrize("text", [
    "mod cmd UP1 times /allow 22,23,0 /initial 6",
    "mod cmd UP1 times",
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt ser W /force 168",
    "config add UP1 /days 5",
])
def test_unknown_times_option_catches_not(text):
    assert hits("UPD-012", text) == []


# -- UPD-013 scheme ------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot ftp://10.0.0.5/fw/ip232.bin ireset 13-5001234",
    "mod cmd UP0 scfg tftp://10.0.0.5/#h.txt",
    "mod cmd UP0 cfg file://c.txt ser 1",
    "config add UP1 /url ftp://10.0.0.5/update/",
])
def test_url_scheme_catches(text):
    assert len(hits("UPD-013", text)) == 1


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ireset 13-5001234",
    "mod cmd UP0 prot HTTPS://10.0.0.5/fw/ip232.bin ireset 13-5001234",
    "config add PHONE /uri sip://10.0.0.5",  # not the update URL
    "mod cmd UP0 prot /ser 04-5679",
])
def test_url_scheme_catches_not(text):
    assert hits("UPD-013", text) == []


# -- UPD-014 / UPD-015 host names and https per target version -------------------------------------


NAMED = "mod cmd UP0 prot http://fw.example.com/fw/ip232.bin ireset 04-5679"
HTTPS = "mod cmd UP0 scfg https://10.0.0.5/backup/#h.txt"


@pytest.mark.parametrize("version, old, unknown", [
    ("v5", True, False),
    ("v6", True, False),
    ("v8", True, False),
    ("v9", False, True),
    ("v10", False, True),
    ("v11r1", False, False),
    ("v13r3", False, False),
])
def test_host_names_by_target_version(version, old, unknown):
    assert bool(hits("UPD-014", NAMED, target_version=version)) == old
    assert bool(hits("UPD-015", NAMED, target_version=version)) == unknown


@pytest.mark.parametrize("version, reported", [("v6", True), ("v10", True), ("v11r1", False)])
def test_https_support_unknown_before_v11(version, reported):
    assert bool(hits("UPD-015", HTTPS, target_version=version)) == reported
    assert hits("UPD-014", HTTPS, target_version=version) == []


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot http://192.168.0.10/fw/ip232.bin ireset 04-5679",
    "mod cmd UP0 prot http://192.168.0.10:8080/fw/ip232.bin ireset 04-5679",
    "mod cmd UP0 prot http://[fd00::5]/fw/ip232.bin ireset 04-5679",
    "mod cmd UP0 prot http://user@10.0.0.5/fw/ip232.bin ireset 04-5679",
])
def test_ip_literals_are_not_host_names(text):
    assert hits("UPD-014", text, target_version="v6") == []
    assert hits("UPD-015", text, target_version="v10") == []


def test_update_url_host_name_is_checked():
    assert hits("UPD-014", "config add UP1 /url http://updates.example.com/", target_version="v6") == [(1, 21)]


# -- UPD-016..018 default file names -------------------------------------------------------


@pytest.mark.parametrize("text, reported", [
    ("mod cmd UP0 bmc http://192.168.0.10/firm/ ireset PCS04fd", True),
    ("mod cmd UP0 bmc http://192.168.0.10/firm/PCS04fd.bin ireset PCS04fd", False),
    ("mod cmd UP0 prot http://192.168.0.10/firm/ ireset 1", False),
    ("mod cmd UP0 bmc http://192.168.0.10/firm/?x=/ ireset PCS04fd", True),
])
def test_bmc_url_folder(text, reported):
    assert bool(hits("UPD-016", text)) == reported


@pytest.mark.parametrize("text, reported", [
    ("mod cmd UP0 prot http://10.0.0.5/fw/ ireset 08-7030012", True),
    ("mod cmd UP0 boot http://10.0.0.5/fw/ ireset 140", True),
    ("mod cmd UP0 prot http://10.0.0.5/fw/ip72.zbin ireset 08-7030012", False),
    ("mod cmd UP0 bmc http://10.0.0.5/fw/ ireset PCS04fd", False),  # UPD-016's
    ("mod cmd UP0 cfg http://10.0.0.5/cfg/ ser 1", False),
    ("config add UP1 /url http://10.0.0.5/update/", False),
])
def test_default_file_name(text, reported):
    assert bool(hits("UPD-017", text)) == reported
    assert bool(hits("UPD-017", text, model="IP72")) == reported


def test_default_file_name_message_names_the_models_default():
    (diagnostic,) = findings("UPD-017", "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 1", model="IP1200")
    assert "IP1200.bin" in diagnostic.message


@pytest.mark.parametrize("model, path, reported", [
    ("IP1200", "update-example.htm", True),
    ("IP72", "update-example.htm", True),
    ("IP21", "update-example.htm", True),
    (None, "update-example.htm", False),  # model unknown: silent
    (None, "update-ip1200.htm", True),  # model from the file name
])
def test_default_file_name_case_needs_a_model(model, path, reported):
    text = "mod cmd UP0 prot http://10.0.0.5/fw/13r2sr9/ ireset 13-5021837"
    assert bool(hits_path(text, "UPD-018", path, model=model)) == reported


def test_default_file_name_and_its_case_are_one_finding():
    from innoscript.lint import Settings, lint_script
    from innoscript.source import Source
    from innoscript.syntax import parse

    text = "mod cmd UP0 prot http://10.0.0.5/fw/13r2sr9/ ireset 13-5021837\n"
    found = lint_script(parse(Source(text, "update-ip1200.htm")), Settings())
    (default,) = [d for d in found if d.code in ("UPD-017", "UPD-018")]
    assert default.code == "UPD-017"
    assert "`IP1200.bin`" in default.message and "case-sensitive" in default.message and "`ip1200.bin`" in default.message
    alone = lint_script(parse(Source(text, "update-ip1200.htm")), Settings(ignore=("UPD-017",)))
    assert [d.code for d in alone if d.code in ("UPD-017", "UPD-018")] == ["UPD-018"]


def hits_path(text, code, path, **settings):
    return [(d.span.line, d.span.col) for d in findings(code, text, path=path, **settings)]


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot http://10.0.0.5/fw/13r2sr9/IP1200.bin ireset 13-5021837",
    "mod cmd UP0 prot http://10.0.0.5/fw/13r2sr9/ip1200.bin ireset 13-5021837",
    "mod cmd UP0 boot http://10.0.0.5/fw/13r2sr9/ ireset 140",
    "mod cmd UP0 bmc http://10.0.0.5/fw/13r2sr9/ ireset PCS13ab",
])
def test_default_file_name_case_catches_not(text):
    assert hits("UPD-018", text, model="IP1200") == []


# -- UPD-019 backup URL ------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "mod cmd UP0 scfg http://10.0.0.5/backup/config.txt",
    "mod cmd UP0 scfg http://10.0.0.5/backup/",
    "mod cmd UP0 scfg http://10.0.0.5/backup/#n.txt",
    "mod cmd UP0 scfg http://10.0.0.5/backup/#b5-#d.txt ser W /force 168",
    "mod cmd UP0 scfg http://10.0.0.5/update/query.php?type=#t ser nop",
])
def test_backup_url_not_device_specific_catches(text):
    assert hits("UPD-019", text) == [(1, 18)]


@pytest.mark.parametrize("text", [
    "mod cmd UP0 scfg http://10.0.0.5/backup/#h.txt",
    "mod cmd UP0 scfg http://10.0.0.5/backup/#m-#b5.txt ser W /force 168",
    "mod cmd UP0 scfg http://10.0.0.5/update/backup.php?hwid=#h&sn=#m",
    "mod cmd UP0 scfg http://10.0.0.5/backup/#i.txt",
    "mod cmd UP0 scfg no-op WEEKLY",  # URL lost: UPD-010
    "mod cmd UP0 prot http://10.0.0.5/fw/ip.bin ser 1",
])
def test_backup_url_not_device_specific_catches_not(text):
    assert hits("UPD-019", text) == []
