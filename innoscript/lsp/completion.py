"""Completion by slot: what may come next in a line, from the catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import catalog

_WORD = re.compile(r"[^ \t]+")
_DIRECTIVE = re.compile(r"^\s*#\s*innolint\s*:\s*(?P<action>[A-Za-z-]*)(?P<eq>\s*=\s*(?P<codes>[^ \t]*))?$", re.IGNORECASE)
ACTIONS = ("disable-next-line", "disable", "enable", "disable-file")


@dataclass(frozen=True)
class Item:
    label: str
    kind: str  # keyword module function value option constant rule
    detail: str = ""
    doc: str = ""
    insert: str | None = None  # plain text to insert (default: label)
    snippet: str | None = None  # LSP snippet, used when the client supports them
    start: int = 0  # 0-based character column the item replaces from (to the cursor)


def _verb_snippet(spec: catalog.Command) -> str:
    parts = [spec.verb]
    index = 1
    for param in spec.params:
        if param.required:
            parts.append(f"${{{index}:{param.name}}}")
            index += 1
    if not spec.params:  # `times`: the options are the command
        for option in spec.options:
            parts.append(f"{option.name} ${{{index}:{option.placeholder}}}" if option.value else option.name)
            index += 1
    return " ".join(parts)


def _finals(start: int) -> list[Item]:
    return [Item(f.word, "value", f"final command, since {f.since}", f.doc, start=start) for f in catalog.FINAL_COMMANDS.values()]


def _metas(start: int) -> list[Item]:
    items = []
    for meta in catalog.META_SEQUENCES.values():
        label = "#b5" if meta.code == "#b" else meta.code
        snippet = "#b${1:5}" if meta.code == "#b" else None
        items.append(Item(label, "constant", meta.name, f"{meta.doc} (e.g. `{meta.example}`)", snippet=snippet, start=start))
    return items


def _rules(start: int) -> list[Item]:
    from ..lint.rule import all_rules

    return [Item(r.code, "rule", r.name, r.summary, start=start) for r in all_rules()]


def complete(text: str, col: int) -> list[Item]:
    """Items for a line's text with the cursor at 0-based character ``col``."""
    before = text[: max(0, min(col, len(text)))]
    # Suppression comments
    if before.lstrip().startswith("#"):
        match = _DIRECTIVE.match(before)
        if not match:
            return []
        if match.group("eq") is None:
            start = len(before) - len(match.group("action"))
            return [Item(a, "keyword", "innolint directive", start=start) for a in ACTIONS]
        codes = match.group("codes") or ""
        start = len(before) - len(codes.rsplit(",", 1)[-1])
        return _rules(start)
    words = [(m.group(), m.start()) for m in _WORD.finditer(before)]
    if words and words[-1][1] + len(words[-1][0]) == len(before):
        current, start = words.pop()
    else:
        current, start = "", len(before)
    done = [w for w, _ in words]
    lower = [w.lower() for w in done]

    if not done:
        items = [
            Item("mod cmd", "keyword", "command for a module", insert="mod cmd ", start=start),
            Item("config", "keyword", "configuration command", insert="config ", start=start),
            Item("vars", "keyword", "variable command", insert="vars ", start=start),
        ]
        return items + _finals(start)
    if lower == ["mod"]:
        return [Item("cmd", "keyword", start=start)]
    if lower[:2] == ["mod", "cmd"]:
        return _mod_slot(done[2:], current, start)
    if lower == ["config"]:
        return [Item(v.verb, "function", "config verb", v.doc, start=start) for v in catalog.CONFIG_VERBS.values()]
    if lower == ["vars"]:
        return [Item(v.verb, "function", "vars verb", v.doc, start=start) for v in catalog.VARS_VERBS.values()]
    if lower[0] == "config" and len(done) >= 3 and done[2].upper() == "UP1" and lower[-1] == "/url" and "#" in current:
        return _metas(start + current.rindex("#"))  # the device expands meta sequences in the update URL
    if lower[0] == "config" and len(done) >= 3 and (current.startswith("/") or not current):
        return _settings(done, current, start)
    return []


def _settings(done: list[str], current: str, start: int) -> list[Item]:
    """The settings the catalogue knows for `config <verb> <MODULE> ...` (not after an option awaiting its value)."""
    verb = catalog.CONFIG_VERBS.get(done[1].lower())
    if verb is None or not verb.takes_module:
        return []
    last = catalog.config_setting(done[2], done[-1]) if len(done) > 3 else None
    if last is not None and last.value is not None and verb.option_values and not current:
        return []  # the cursor is on the value
    taken = {w.lower() for w in done[3:]}
    return [
        Item(s.name, "option", f"{s.name} <{s.placeholder}>" if s.value and verb.option_values else s.name, s.doc,
             start=start)
        for s in catalog.CONFIG_SETTINGS.get(done[2].upper(), ()) if s.name not in taken
    ]


def _mod_slot(rest: list[str], current: str, start: int) -> list[Item]:
    if not rest:
        return [Item(m, "module", "module", ", ".join(c.verb for c in catalog.verbs(m)), start=start) for m in catalog.MODULES]
    module = rest[0]
    if len(rest) == 1:
        return [
            Item(c.verb, "function", c.summary, c.doc, snippet=_verb_snippet(c), start=start)
            for c in catalog.verbs(module)
        ]
    spec = catalog.lookup(module, rest[1])
    if spec is None:
        return []
    # Walk the words after the verb: options (with their values) and positionals.
    positional = 0
    expecting_value = None
    for word in rest[2:]:
        if expecting_value:
            expecting_value = None
            continue
        if word.startswith("/"):
            option = spec.option(word)
            expecting_value = option if option is None or option.value else None
            if option is None:
                expecting_value = None
            continue
        positional += 1
    if expecting_value is not None:
        if expecting_value.value == "hour-list":
            return [
                Item("22,23,0,1,2,3,4", "value", "22:00-04:59", "night hours", start=start),
                Item("1,2,3,4", "value", "01:00-04:59", "early morning", start=start),
            ]
        return []
    if current.startswith("/") or (not current and positional >= len(spec.params)):
        taken = set(rest[2:])
        return [
            Item(o.name, "option", f"{o.name} <{o.placeholder}>" if o.value else o.name, o.doc, start=start)
            for o in spec.options if o.name not in taken
        ]
    if positional >= len(spec.params):
        return []
    param = spec.params[positional]
    if param.kind == "final":
        return _finals(start)
    if param.kind == "url" and "#" in current:
        if not spec.expands_meta:
            return []  # the device would send `#h` literally: offering it would mislead
        return _metas(start + current.rindex("#"))
    return []
