"""docs/rules/ is generated from the rule docstrings and must be up to date.

Regenerate with `python -m innoscript.lint.docs`.
"""

from __future__ import annotations

from innoscript.lint import docs
from innoscript.lint.rule import GROUPS, all_rules


def test_pages_are_up_to_date():
    stale = docs.stale(docs.default_folder())
    assert stale == [], f"out of date: {stale}; run `python -m innoscript.lint.docs`"


def test_every_rule_has_a_page_with_its_documentation():
    pages = docs.render_pages()
    for rule in all_rules():
        page = pages[f"{rule.code}.md"]
        assert page.startswith(f"# {rule.code} {rule.name}\n")
        assert f"| {rule.severity.name.lower()} |" in page
        assert "## Example" in page and rule.summary in page


def test_index_lists_every_rule_under_its_group():
    text = docs.render_pages()["README.md"]
    for rule in all_rules():
        row = next(line for line in text.splitlines() if line.startswith(f"| [{rule.code}]({rule.code}.md) "))
        group_title = GROUPS[rule.group]
        assert text.index(f"## {group_title}") < text.index(row)


def test_check_and_write_cycle(tmp_path, capsys):
    assert docs.main(["--check", str(tmp_path)]) == 1
    (tmp_path / "UPD-999.md").write_text("left over")
    assert docs.main([str(tmp_path)]) == 0
    assert not (tmp_path / "UPD-999.md").exists()
    assert docs.main(["--check", str(tmp_path)]) == 0
