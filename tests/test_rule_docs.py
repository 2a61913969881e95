"""Every rule's documentation examples are run: the bad one triggers the rule
at the documented position, the fixed one does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from innoscript.lint import Settings, lint_script
from innoscript.lint.rule import all_rules
from innoscript.source import Source
from innoscript.syntax import parse

RULES = all_rules()
ROOT = Path(__file__).resolve().parent.parent


def settings_for(example) -> Settings:
    values = example.settings
    return Settings(
        target_version=values.get("target-version", "v10"),
        model=values.get("model"),
        mode=values.get("mode", "script"),
        simulate=values.get("simulate", "false").lower() == "true",
        require_reason=values.get("require-reason", "false").lower() == "true",
        fleet=str(ROOT / values["fleet"]) if "fleet" in values else None,
        ignore=tuple(code for code in values.get("ignore", "").split(",") if code),
    )


def lint_example(example, rule, folder: Path):
    """Lint the example as a file saved in ``folder`` (the fleet simulation reads it from disk).

    A `file=` with a folder (`examples/update-example.htm`) names a place in
    this repository, next to the files the example refers to; nothing is
    written there.
    """
    name = values_path(example)
    if "/" in name:
        path = ROOT / name
    else:
        path = folder / name
        path.write_bytes(example.data)
    script = parse(Source.from_bytes(example.data, str(path)))
    return [d for d in lint_script(script, settings_for(example)) if d.code == rule.code]


def values_path(example) -> str:
    return example.settings.get("file", "update-example.htm")


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_documentation_is_complete(rule):
    for title in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert title in rule.doc, f"{rule.code} doc lacks {title!r}"
    assert rule.bad_example is not None and rule.good_example is not None
    assert rule.bad_example.line is not None, f"{rule.code}: bad example lacks 'Reported at L:C'"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_bad_example_triggers_at_documented_position(rule, tmp_path):
    example = rule.bad_example
    found = lint_example(example, rule, tmp_path)
    positions = [(d.span.line, d.span.col) for d in found]
    assert (example.line, example.col) in positions, f"{rule.code}: expected {example.line}:{example.col}, got {positions}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_fixed_example_is_clean(rule, tmp_path):
    found = lint_example(rule.good_example, rule, tmp_path)
    assert found == [], f"{rule.code}: fixed example still reported: {[d.message for d in found]}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_no_rule_crashes_on_its_examples(rule):
    for example in (rule.bad_example, rule.good_example):
        script = parse(Source.from_bytes(example.data, values_path(example)))
        for diagnostic in lint_script(script, settings_for(example)):
            assert "internal error" not in diagnostic.message
