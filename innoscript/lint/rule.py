r"""Rules: one small function each, its docstring is its documentation.

A rule is a row of the registry table (registry.py: code, name, severity,
group, fix kind, where its check lives) and a check function in a rule
module, marked with ``@rule`` (the code it implements, the spec sections it
follows, and how the engine runs it)::

    @rule("UPD-002", spec="5.2, 13.4", kinds=(ast.Times,))
    def time_alias(ctx, line):
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
        if ...:
            yield ctx.finding(line.verb.span, "message", fix=ctx.replace(...))

A check yields its findings, or returns them as a list (None: nothing).
Line rules that run on most lines return: calling a plain function is
cheaper than starting a generator, and a large script calls them a
million times.

How the engine runs a check (the ``stage``):

- ``kinds=(...)`` given: a *line rule*.  It is called as ``check(ctx, line)``
  for each line of those node types, in one loop over the lines shared by
  all line rules, and it may look at that line, the settings and the device
  model only (never at other lines): its findings are cached by the line's
  text, so an edit re-runs it on the changed line alone.
- no ``kinds``: a *script rule*, called once as ``check(ctx)``; it may look
  at the whole script.
- ``stage="suppressions"``: called as ``check(ctx)`` after suppressions
  have been applied to every other finding, with ``ctx.suppressions`` set
  (UPD-093, unused suppressions).

Positions: a line rule sees each distinct line once, parsed at line 1,
offset 0, and reports at a token's columns (``token.span``, a ``Cols``); the
engine places its findings at every line with that text.  A script rule
sees lines where they stand and reports at file spans: ``line.at(token)``,
``line.span``.  One that reads many lines and reports few reads their shared
parses (``ctx.numbers(kinds)``, ``ctx.shape(number)``: what a line says,
never where it stands) and places only what it reports (``ctx.at(number,
token)``, ``ctx.span(number)``, ``ctx.line(number)``): after an edit, placing
every line below it again for each such rule cost more than the rule.

The first docstring line is the rule's summary.  In examples, ``\xNN``
stands for the byte NN (control characters, latin-1 text, NUL).  The first fenced block
after ``## Example`` is the bad example (it must trigger the rule at the
position given by ``Reported at L:C``), the first after ``## Use instead`` the
fixed one (it must not trigger it).  The tests run both, and the pages in
docs/rules/ are generated from the docstrings.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from ..records import NamedTuple
from . import registry
from .diagnostic import Severity
from .registry import GROUPS  # noqa: F401 - part of this module's interface (docs, SARIF)

# The documentation ships in the package (`innolint rule CODE`, the language
# server's hover); there is no published web address to link to.  A
# release that publishes the docs sets this, e.g. "https://.../rules/{code}.md".
DOCS_URL: str | None = None


class Example(NamedTuple):
    text: str
    settings: dict[str, str]
    line: int | None = None
    col: int | None = None

    @property
    def data(self) -> bytes:
        """The example as file bytes (byte escapes decoded)."""
        return _example_bytes(self.text)


class Rule:
    """A registry row with its check function.

    A plain class, not a frozen record: creating record classes costs at
    start-up, and the documentation (the check's docstring, dedented) is
    prepared only when asked for, never on a lint run.
    """

    __slots__ = ("code", "name", "severity", "group", "fix", "spec", "check", "kinds", "stage", "fix_safety",
                 "applies", "_doc", "_raw_doc")

    def __init__(self, code: str, name: str, severity: Severity, group: str, fix: str | None, spec: str,
                 check: Callable, doc: str | None = None, kinds: tuple[type, ...] = (), stage: str = "script",
                 fix_safety: str | None = None, applies: Callable | None = None) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.group = group
        self.fix = fix  # None, "safe", "unsafe" or "sometimes" (registry.Entry.fix_availability)
        self.spec = spec  # sections of innovaphone-spec.md / lint-rules.md
        self.check = check  # (LintContext[, Line]) -> Iterable[Finding]
        self.kinds = kinds  # node types of a line rule; () for the other stages
        self.stage = stage  # one of STAGES
        self.fix_safety = fix_safety  # "safe", "unsafe" or None: what every fix it emits is
        # A line rule that can find something only under some settings, model or
        # target version says so: ``applies(ctx)`` is asked once per lint, and a
        # rule that does not apply is left out of the loop over the lines.
        self.applies = applies
        self._doc = doc  # None: the check's docstring, dedented on first use
        self._raw_doc = check.__doc__ or ""

    @property
    def doc(self) -> str:
        if self._doc is None:
            import inspect

            self._doc = inspect.cleandoc(self._raw_doc)
        return self._doc

    def __repr__(self) -> str:
        return f"Rule({self.code!r}, {self.name!r})"

    @property
    def per_line(self) -> bool:
        return self.stage == "line"

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    @property
    def url(self) -> str | None:
        """The web page of the rule, when the docs are published (see DOCS_URL)."""
        return DOCS_URL.format(code=self.code) if DOCS_URL else None

    @property
    def docs_command(self) -> str:
        """How to read the rule's documentation where innoscript is installed."""
        return f"innolint rule {self.code}"

    @property
    def bad_example(self) -> Example | None:
        return _example(self.doc, "Example")

    @property
    def good_example(self) -> Example | None:
        return _example(self.doc, "Use instead")


STAGES = ("line", "script", "suppressions")


def rule(
    code: str,
    *,
    spec: str = "",
    kinds: tuple[type, ...] = (),
    stage: str | None = None,
    applies: Callable | None = None,
    needs: str | None = None,
) -> Callable[[Callable], Callable]:
    """Mark a check function as the implementation of rule ``code`` (a registry row).

    Only marks it: the registry table decides which functions are rules.
    ``applies(ctx)`` (line rules only): False when the settings, model or
    target version rule out every finding, so the engine skips the rule for
    the whole script.  The check must still be right without it (it may
    return early on the same condition).  ``needs`` (line rules only): a
    text without which a line gives no finding (`#` for meta sequences); the
    engine skips the rule on lines without it, and the check must still be
    right without that.
    """
    stage = stage or ("line" if kinds else "script")
    if stage not in STAGES or (stage == "line") != bool(kinds):
        raise ValueError(f"{code}: stage {stage!r} with kinds {kinds!r}")
    if (applies is not None or needs is not None) and stage != "line":
        raise ValueError(f"{code}: only line rules take applies and needs")

    def mark(check: Callable[..., Iterable]) -> Callable:
        check.rule_code = code
        check.rule_spec = spec
        check.rule_kinds = tuple(kinds)
        check.rule_stage = stage
        check.rule_applies = applies
        if needs is not None:
            check.rule_needs = needs
        return check

    return mark


def _load(entry: registry.Entry) -> Rule:
    module = importlib.import_module(f"{__package__}.rules.{entry.module}")
    check = getattr(module, entry.function, None)
    if check is None or getattr(check, "rule_code", None) != entry.code:
        raise LookupError(f"registry: {entry.code} names {entry.module}.{entry.function}, which is not marked @rule({entry.code!r})")
    return Rule(entry.code, entry.name, Severity.parse(entry.severity), entry.group, entry.fix_availability,
                check.rule_spec, check, None, check.rule_kinds, check.rule_stage,
                entry.fix_safety, check.rule_applies)


@lru_cache(maxsize=1)
def _rules() -> tuple[Rule, ...]:
    return tuple(_load(entry) for entry in sorted(registry.RULES, key=lambda e: e.code))


def all_rules() -> list[Rule]:
    """Every rule of the registry, by code (imports the rule modules once)."""
    return list(_rules())


def find_rule(key: str) -> Rule | None:
    """A rule by code (`UPD-046`, `upd046`, `46`) or name."""
    entry = registry.find(key)
    if entry is None:
        return None
    return next(r for r in _rules() if r.code == entry.code)


# The documentation's parts, read when a rule's docs or examples are shown (never
# on a lint run): the patterns are compiled on first use (re's cache), not at start.
_SECTION = r"(?m)^##\s+(.+?)\s*$"
_FENCE = r"(?ms)^```[^\n]*\n(.*?)^```"
_SETTINGS = r"(?m)^Settings:\s*(.+)$"
_REPORTED = r"Reported at (\d+):(\d+)"


def section(doc: str, title: str) -> str | None:
    """The text of a `## title` section of a rule docstring."""
    parts = re.split(_SECTION, doc)
    for index in range(1, len(parts) - 1, 2):
        if parts[index].lower() == title.lower():
            return parts[index + 1]
    return None


def _example(doc: str, title: str) -> Example | None:
    body = section(doc, title)
    if body is None:
        return None
    fence = re.search(_FENCE, body)
    if not fence:
        return None
    settings: dict[str, str] = {}
    example_section = section(doc, "Example") or ""
    found = re.search(_SETTINGS, body) or re.search(_SETTINGS, example_section)
    if found:
        for pair in found.group(1).split():
            key, _, value = pair.partition("=")
            settings[key.strip()] = value.strip()
    reported = re.search(_REPORTED, body[fence.end():])
    line, col = (int(reported.group(1)), int(reported.group(2))) if reported else (None, None)
    return Example(fence.group(1), settings, line, col)


_BYTE_ESCAPE = r"\\x([0-9a-fA-F]{2})"


def _example_bytes(text: str) -> bytes:
    out = bytearray()
    pos = 0
    for match in re.finditer(_BYTE_ESCAPE, text):
        out += text[pos : match.start()].encode("utf-8")
        out.append(int(match.group(1), 16))
        pos = match.end()
    out += text[pos:].encode("utf-8")
    return bytes(out)
