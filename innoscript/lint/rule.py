r"""Rules: one small function each, its docstring is its documentation.

A rule module defines check functions decorated with ``@rule``::

    @rule("UPD-002", "time-alias", "W", group="lexical", fix="safe", spec="5.2, 13.4")
    def time_alias(ctx):
        \"\"\"`time` instead of `times`.

        ## What it does
        ...
        ## Example
        Settings: model=IP72 target-version=v6      (optional line)
        ```
        mod cmd UP1 time /allow 22,23,0,1 /initial 6
        ```
        Reported at 1:13.
        ## Use instead
        ```
        mod cmd UP1 times /allow 22,23,0,1 /initial 6
        ```
        ## Fix safety
        ...
        \"\"\"
        for line in ctx.lines(Times):
            if ...:
                yield ctx.finding(line.verb.span, "message", fix=ctx.replace(...))

The first docstring line is the rule's summary.  In examples, ``\xNN``
stands for the byte NN (control characters, latin-1 text, NUL).  The first fenced block
after ``## Example`` is the bad example (it must trigger the rule at the
position given by ``Reported at L:C``), the first after ``## Use instead`` the
fixed one (it must not trigger it).  The tests run both, and the pages in
docs/rules/ are generated from the docstrings.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from .diagnostic import Severity

GROUPS = {
    "lexical": "A. Lexical and structural",
    "arguments": "B. Arguments and URLs",
    "times": "C. times",
    "check": "D. check",
    "download": "E. prot, boot, bmc, WLAN",
    "scfg": "F. scfg",
    "meta": "G. Meta sequences",
    "cfg": "H. cfg",
    "config": "I. Configuration commands and UP1 housekeeping",
    "source": "S. Source, syntax and suppressions",
    "behaviour": "X. Behaviour found by simulation",
}

DOCS_URL = "https://github.com/innoscript/innoscript/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Example:
    text: str
    settings: dict[str, str]
    line: int | None = None
    col: int | None = None

    @property
    def data(self) -> bytes:
        """The example as file bytes (byte escapes decoded)."""
        return _example_bytes(self.text)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    group: str
    fix: str | None  # None, "safe", "unsafe" or "sometimes"
    spec: str  # sections of innovaphone-spec.md / lint-rules.md
    check: Callable  # (LintContext) -> Iterable[Finding]
    doc: str  # the docstring, dedented

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    @property
    def bad_example(self) -> Example | None:
        return _example(self.doc, "Example")

    @property
    def good_example(self) -> Example | None:
        return _example(self.doc, "Use instead")


REGISTRY: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: str,
    *,
    group: str,
    fix: str | None = None,
    spec: str = "",
) -> Callable[[Callable], Callable]:
    """Register a check function as a rule."""
    if group not in GROUPS:
        raise ValueError(f"{code}: unknown group {group!r}")

    def register(check: Callable[..., Iterable]) -> Callable:
        if code in REGISTRY or name in _BY_NAME:
            raise ValueError(f"rule {code} {name} registered twice")
        entry = Rule(code, name, Severity.parse(severity), group, fix, spec, check, inspect.cleandoc(check.__doc__ or ""))
        REGISTRY[code] = entry
        _BY_NAME[name] = entry
        check.rule = entry
        return check

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, by code (imports the rule modules once)."""
    from . import rules  # noqa: F401 - registers the rules

    return sorted(REGISTRY.values(), key=lambda r: r.code)


def find_rule(key: str) -> Rule | None:
    """A rule by code (`UPD-046`, `upd046`, `46`) or name."""
    all_rules()
    key = key.strip()
    if key in _BY_NAME:
        return _BY_NAME[key]
    match = re.fullmatch(r"(?:UPD)?-?0*(\d{1,3})", key, re.IGNORECASE)
    if match:
        return REGISTRY.get(f"UPD-{int(match.group(1)):03d}")
    return None


_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SETTINGS = re.compile(r"^Settings:\s*(.+)$", re.MULTILINE)
_REPORTED = re.compile(r"Reported at (\d+):(\d+)")


def section(doc: str, title: str) -> str | None:
    """The text of a `## title` section of a rule docstring."""
    parts = _SECTION.split(doc)
    for index in range(1, len(parts) - 1, 2):
        if parts[index].lower() == title.lower():
            return parts[index + 1]
    return None


def _example(doc: str, title: str) -> Example | None:
    body = section(doc, title)
    if body is None:
        return None
    fence = _FENCE.search(body)
    if not fence:
        return None
    settings: dict[str, str] = {}
    example_section = section(doc, "Example") or ""
    found = _SETTINGS.search(body) or _SETTINGS.search(example_section)
    if found:
        for pair in found.group(1).split():
            key, _, value = pair.partition("=")
            settings[key.strip()] = value.strip()
    reported = _REPORTED.search(body[fence.end():])
    line, col = (int(reported.group(1)), int(reported.group(2))) if reported else (None, None)
    return Example(fence.group(1), settings, line, col)


_BYTE_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")


def _example_bytes(text: str) -> bytes:
    out = bytearray()
    pos = 0
    for match in _BYTE_ESCAPE.finditer(text):
        out += text[pos : match.start()].encode("utf-8")
        out.append(int(match.group(1), 16))
        pos = match.end()
    out += text[pos:].encode("utf-8")
    return bytes(out)
