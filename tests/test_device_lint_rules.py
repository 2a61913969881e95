"""The behaviour rules (UPD-080 ...): the linter's link to the interpreter."""

from __future__ import annotations

from pathlib import Path

import pytest

from innoscript.lint import Settings, lint_script
from innoscript.source import Source
from innoscript.syntax import parse

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BEHAVIOUR = ("UPD-080", "UPD-081", "UPD-082", "UPD-083")


def findings(text, simulate=True, path="update-ip232.htm", **settings):
    script = parse(Source.from_bytes(text.encode(), path))
    result = lint_script(script, Settings(simulate=simulate, **settings))
    return [(d.code, d.span.line, d.span.col) for d in result if d.code in BEHAVIOUR]


LOOPING = "mod cmd UP1 check ser S1\nconfig add GW1 /name a\nreset\nconfig write\nmod cmd UP0 scfg http://10.0.0.5/b.txt\n"


def test_nothing_without_simulate():
    assert findings(LOOPING, simulate=False) == []


def test_looping_script_gets_every_behaviour_finding():
    found = findings(LOOPING)
    assert ("UPD-080", 3, 1) in found  # restart loop at the reset
    assert ("UPD-081", 1, 23) in found  # check serial never committed
    assert ("UPD-082", 4, 1) in found and ("UPD-082", 5, 1) in found  # never reached


def test_shared_backup_url_only_when_the_url_is_not_device_specific():
    assert ("UPD-083", 1, 18) in findings("mod cmd UP0 scfg http://10.0.0.5/backup/config.txt\n", ignore=("UPD-019",))
    for meta in ("#m", "#h", "#i"):
        assert findings(f"mod cmd UP0 scfg http://10.0.0.5/backup/{meta}.txt\n") == []


def test_shared_backup_url_is_one_finding_with_the_static_rule():
    text = "mod cmd UP0 scfg http://10.0.0.5/backup/config.txt\n"
    result = lint_script(parse(Source.from_bytes(text.encode(), "update-ip232.htm")), Settings(simulate=True))
    assert [(d.code, d.span.line) for d in result if d.code in ("UPD-019", "UPD-083")] == [("UPD-019", 1)]


def test_dotted_build_serials_loop_on_the_default_model():
    text = (CORPUS / "broken" / "update-ip800-dotted-build.htm").read_text()
    found = findings(text, path="update-ip800-dotted-build.htm")
    assert ("UPD-080", 5, 1) in found


def test_simulation_starts_inside_the_allow_window():
    # The window 22-23 opens at once for the simulated device: no line is reported as dead.
    text = "mod cmd UP1 times /allow 22,23\nconfig add GW1 /name a\nconfig write\n"
    assert findings(text) == []


def test_payload_mode_is_not_simulated():
    assert findings("config add GW1 /name a\nreset\nconfig write\n", mode="cfg-payload") == []


@pytest.mark.parametrize("path", sorted((CORPUS / "clean").glob("*")), ids=lambda p: p.name)
def test_clean_corpus_has_no_behaviour_findings(path):
    script = parse(Source.from_path(str(path)))
    result = lint_script(script, Settings(simulate=True))
    assert [d.code for d in result if d.code in BEHAVIOUR] == []
