"""Rule pages: docs/rules/UPD-nnn.md and the index, from the rule docstrings.

    python -m innoscript.lint.docs            regenerate docs/rules/
    python -m innoscript.lint.docs --check    exit 1 when the pages are out of date

The docstring is the page; this module only adds the header (severity,
group, fix, spec sections) and the index grouped by catalogue group.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from .rule import GROUPS, Rule, all_rules

PAGE = re.compile(r"^UPD-\d{3}\.md$")
FIX_WORDS = {None: "no", "safe": "safe", "unsafe": "unsafe", "sometimes": "sometimes"}


def default_folder() -> Path:
    """docs/rules/ of the source tree this package lives in."""
    return Path(__file__).resolve().parent.parent.parent / "docs" / "rules"


def page(rule: Rule) -> str:
    doc = rule.doc.strip()
    summary, _, body = doc.partition("\n")
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        summary.strip(),
        "",
        "| severity | group | fix | reference |",
        "|---|---|---|---|",
        f"| {rule.severity.name.lower()} | {GROUPS.get(rule.group, rule.group)} | {FIX_WORDS.get(rule.fix, rule.fix)} "
        f"| {rule.spec or '-'} |",
        "",
        body.strip(),
        "",
        "## Configuration",
        "",
        "Turn the rule off for a file or a folder with `ignore = [\"" + rule.code + "\"]` in `[tool.innolint]`, "
        "change its severity with `severity = { " + rule.code + " = \"error\" }`, or suppress one finding with "
        "`# innolint: disable-next-line=" + rule.code + " -- reason` (see [innolint](../innolint.md)).",
        "",
    ]
    return "\n".join(lines)


def index(rules: list[Rule]) -> str:
    lines = [
        "# innolint rules",
        "",
        "Generated from the rule docstrings by `python -m innoscript.lint.docs`; do not edit by hand.",
        "`innolint rule CODE` prints the same page in a terminal.",
        "",
    ]
    for group, title in GROUPS.items():
        members = [r for r in rules if r.group == group]
        if not members:
            continue
        lines += [f"## {title}", "", "| code | name | severity | fix | summary |", "|---|---|---|---|---|"]
        for r in members:
            summary = r.summary.replace("|", "\\|")
            lines.append(
                f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.severity.name.lower()} | {FIX_WORDS.get(r.fix, r.fix)} | {summary} |"
            )
        lines.append("")
    return "\n".join(lines)


def render_pages() -> dict[str, str]:
    """File name -> content of every generated file."""
    rules = all_rules()
    pages = {f"{r.code}.md": page(r) for r in rules}
    pages["README.md"] = index(rules)
    return pages


def stale(folder: Path) -> list[str]:
    """Names of generated files that are missing, different or left over."""
    wanted = render_pages()
    out = []
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    if folder.is_dir():
        out += sorted(n for n in os.listdir(folder) if PAGE.match(n) and n not in wanted)
    return sorted(out)


def write(folder: Path) -> list[str]:
    """Regenerate ``folder``; the names written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = render_pages()
    changed = stale(folder)
    for name in changed:
        path = folder / name
        if name in wanted:
            path.write_text(wanted[name], encoding="utf-8", newline="\n")
        else:
            path.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m innoscript.lint.docs", description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=None, help="output folder [docs/rules]")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when pages are out of date")
    args = parser.parse_args(argv)
    folder = args.folder or default_folder()
    if args.check:
        names = stale(folder)
        for name in names:
            print(f"out of date: {folder / name}")
        return 1 if names else 0
    names = write(folder)
    print(f"{len(names)} page{'s' if len(names) != 1 else ''} written in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
