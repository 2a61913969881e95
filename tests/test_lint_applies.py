"""Rules that declare when they apply are skipped only where they could find nothing.

A line rule's ``applies(ctx)`` lets the engine leave it out of the loop over
the lines for a whole script.  Over every target version, every model (and
none) and both modes, a rule whose ``applies`` says no must find nothing on
any line of its examples or of the corpus, and the engine must give the same
diagnostics as running every line rule on every line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from innoscript import catalog
from innoscript.lint import engine
from innoscript.lint.context import LintContext
from innoscript.lint.rule import all_rules
from innoscript.lint.settings import MODES, Settings
from innoscript.source import Source
from innoscript.syntax import parse

ROOT = Path(__file__).resolve().parent.parent
GATED = [rule for rule in all_rules() if rule.applies is not None]


def _scripts():
    texts = []
    for rule in all_rules():
        for example in (rule.bad_example, rule.good_example):
            if example is not None:
                texts.append(example.data)
    for path in sorted((ROOT / "corpus").rglob("*")):
        if path.is_file() and path.suffix in (".htm", ".upd", ".txt"):
            texts.append(path.read_bytes())
    return [parse(Source.from_bytes(data, "update.htm")) for data in texts]


SCRIPTS = _scripts()


def _models() -> list[str | None]:
    """No model, and one model per combination of the properties the gates read."""
    kinds: dict[tuple, str] = {}
    for name, model in catalog.MODELS.items():
        key = (model.reboot, model.dect, model.wlan, model.firmware_name == model.firmware_name.lower())
        kinds.setdefault(key, name)
    return [None, *kinds.values()]


SETTINGS = [Settings(target_version=version, model=model, mode=mode)
            for version in catalog.VERSIONS for model in _models() for mode in MODES]


def test_some_rules_are_gated():
    assert {"UPD-014", "UPD-015", "UPD-043", "UPD-053", "UPD-062", "UPD-065"} <= {r.code for r in GATED}


@pytest.mark.parametrize("rule", GATED, ids=lambda r: r.code)
def test_a_rule_that_does_not_apply_finds_nothing(rule):
    skipped = 0
    for settings in SETTINGS:
        for script in SCRIPTS:
            ctx = LintContext(script, settings)
            if rule.applies(ctx):
                continue
            skipped += 1
            for line in script.lines:
                if isinstance(line, rule.kinds):
                    assert not list(rule.check(ctx, line) or ()), (rule.code, settings, line.text)
    assert skipped  # the gate does say no somewhere


def test_the_engine_gives_what_every_rule_on_every_line_gives(monkeypatch):
    settings_sample = SETTINGS[:: max(1, len(SETTINGS) // 12)]
    for settings in settings_sample:
        for script in SCRIPTS[:40]:
            gated = engine.lint_script(script, settings)
            with monkeypatch.context() as patch:
                patch.setattr(engine, "_applies", lambda ctx, rule: True)
                everything = engine.lint_script(script, settings)
            assert gated == everything
