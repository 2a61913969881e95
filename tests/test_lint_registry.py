"""The rule registry is one explicit table: every rule is a row, every row a
marked check function in a rule module, and each rule's declared fix kind is
what it emits."""

from __future__ import annotations

import ast as pyast
import importlib
import inspect
from pathlib import Path

import pytest

from innoscript.lint import registry
from innoscript.lint.rule import STAGES, all_rules, find_rule

from test_rule_docs import RULES, lint_example

PACKAGE = Path(__file__).resolve().parent.parent / "innoscript"


def test_every_row_names_a_check_marked_with_its_code():
    codes = [entry.code for entry in registry.RULES]
    names = [entry.name for entry in registry.RULES]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    for entry in registry.RULES:
        assert entry.group in registry.GROUPS, entry
        assert entry.fix in registry.FIX_KINDS, entry
        assert entry.severity in ("E", "W", "I", "H"), entry
        module = importlib.import_module(f"innoscript.lint.rules.{entry.module}")
        check = getattr(module, entry.function)
        assert check.rule_code == entry.code
        assert check.rule_stage in STAGES
    assert [r.code for r in all_rules()] == sorted(codes)


def test_every_marked_check_is_in_the_table_and_no_rule_lives_outside_the_rule_modules():
    rows = {(entry.module, entry.function) for entry in registry.RULES}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = pyast.parse(path.read_text(encoding="utf-8"))
        for node in pyast.walk(tree):
            if not isinstance(node, pyast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, pyast.Call) and getattr(decorator.func, "id", None) == "rule":
                    assert path.parent == PACKAGE / "lint" / "rules", f"rule {node.name} outside the rule modules: {path}"
                    assert (path.stem, node.name) in rows, f"{path.stem}.{node.name} is marked @rule but not in the table"


def test_importing_the_rules_package_registers_nothing():
    source = (PACKAGE / "lint" / "rules" / "__init__.py").read_text(encoding="utf-8")
    tree = pyast.parse(source)
    assert not [n for n in tree.body if isinstance(n, (pyast.Import, pyast.ImportFrom))]


def test_cross_file_rule_and_unused_suppression_are_rules_in_the_rule_modules():
    payload = find_rule("UPD-068")
    assert payload.check.__module__ == "innoscript.lint.rules.cfg"
    unused = find_rule("UPD-093")
    assert unused.check.__module__ == "innoscript.lint.rules.suppression"
    assert unused.stage == "suppressions"
    # a real check, not an empty stub: it has code beyond its docstring
    body = inspect.getsource(unused.check)
    assert "ctx.suppressions" in body


def test_lookup_by_code_and_name_without_rule_modules():
    assert registry.find("upd46").code == "UPD-046"
    assert registry.find("46").code == "UPD-046"
    assert registry.find("time-alias").code == "UPD-002"
    assert registry.find("UPD-999") is None


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_declared_fix_kind_matches_the_fixes_emitted_on_the_examples(rule, tmp_path):
    entry = registry.BY_CODE[rule.code]
    bad = lint_example(rule.bad_example, rule, tmp_path)
    good = lint_example(rule.good_example, rule, tmp_path)
    emitted = {("safe" if d.fix.safe else "unsafe") for d in bad + good if d.fix is not None}
    if entry.fix is None:
        assert emitted == set(), f"{rule.code} declares no fix but emits {emitted}"
        return
    assert emitted <= {entry.fix_safety}, f"{rule.code} declares {entry.fix} fixes but emits {emitted}"
    if not entry.fix.endswith("-sometimes"):
        assert bad and all(d.fix is not None for d in bad), f"{rule.code} declares a fix for every finding"
