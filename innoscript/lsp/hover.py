"""Hover text from the catalogue: what the word under the cursor means."""

from __future__ import annotations

from .. import catalog, values
from ..lint.settings import Settings
from ..syntax import ast


def _at(span, col: int) -> bool:
    """True when 0-based character column ``col`` touches the columns ``span``."""
    return span.start <= col <= span.end


def hours_in_words(parsed) -> str:
    """An `/allow` option's parsed hours (`23,0,1,2,3,4`) as `23:00-04:59`.

    Runs in the order they were written; a list the device cannot read says why.
    """
    if isinstance(parsed, ast.Invalid):
        return f"any hour: the device cannot read this list ({parsed.message})"
    hours: list[int] = []
    for hour in parsed:
        if hour.value not in hours:
            hours.append(hour.value)
    if not hours:
        words = "no hour at all: the script never runs past this line"
    elif len(hours) == 24:
        words = "every hour (00:00-23:59)"
    else:
        present = set(hours)
        runs = []
        for hour in hours:
            if (hour - 1) % 24 in present:
                continue  # not the start of a run
            end = hour
            while (end + 1) % 24 in present:
                end = (end + 1) % 24
            runs.append(f"{hour:02d}:00-{end:02d}:59")
        words = ", ".join(runs)
    return words


def command_markdown(spec: catalog.Command) -> str:
    lines = [f"```\n{spec.syntax}\n```", f"**{spec.summary}**", "", spec.doc]
    for param in spec.params:
        lines.append(f"- `<{param.name}>`{'' if param.required else ' (optional)'}: {param.doc}")
    for option in spec.options:
        value = f" <{option.placeholder}>" if option.value else ""
        lines.append(f"- `{option.name}{value}`: {option.doc}")
    facts = []
    if spec.reads:
        facts.append(f"reads UPDATE/{spec.reads}")
    if spec.writes:
        facts.append(f"writes UPDATE/{spec.writes}")
    facts.append(f"since {spec.since}")
    if spec.models:
        facts.append(f"{spec.models} devices only")
    if spec.spec:
        facts.append(f"spec section {spec.spec}")
    lines += ["", "_" + "; ".join(facts) + "_"]
    return "\n".join(lines)


def final_markdown(final: catalog.FinalCommand) -> str:
    text = f"**final command `{final.word}`**: {final.doc}"
    notes = [f"since {final.since}"]
    if final.not_on:
        notes.append(f"does not work on {', '.join(final.not_on)}")
    return text + "\n\n_" + "; ".join(notes) + "_"


def meta_markdown(text: str, model: catalog.Model | None) -> str:
    code = catalog.meta_code(text)
    meta = catalog.META_SEQUENCES.get(code)
    if meta is None:
        return f"`{text}` is not a known meta sequence; the device sends it unchanged"
    example = meta.example
    if model is not None:
        if code == "#h":
            example = f"{model.name}-03-0d-f0"
        elif code == "#t":
            example = model.short
    size = values.ascii_number(text[2:]) if code == "#b" else None
    if size is not None:
        expands = f"the rolling backup index 0..{size - 1}" if size > 0 else "the rolling backup index"
    else:
        expands = meta.doc
    lines = [f"**meta sequence `{text}`** ({meta.name}): expands to {expands}", "", f"Example{f' on {model.name}' if model else ''}: `{example}`"]
    if not meta.documented:
        lines.append("\n_not in the manuals; only known from the official update server_")
    return "\n".join(lines)


def rule_markdown(code: str) -> str | None:
    from ..lint.rule import find_rule

    found = find_rule(code)
    if found is None:
        return None
    link = f"[documentation]({found.url})" if found.url else f"`{found.docs_command}`"
    return f"**{found.code} {found.name}**\n\n{found.doc}\n\n{link}"


def _model(script: ast.Script, settings: Settings | None) -> catalog.Model | None:
    if settings is not None and settings.model:
        return catalog.find_model(settings.model)
    return catalog.model_from_filename(script.path)


def hover(script: ast.Script, line: int, col: int, settings: Settings | None = None):
    """(markdown, span) for 0-based ``line`` and character ``col``, or None."""
    if not 0 <= line < len(script):
        return None
    node = script.line(line + 1)
    if isinstance(node, ast.Directive):
        for token in node.codes:
            if _at(token.span, col):
                text = rule_markdown(token.text)
                return (text, node.at(token)) if text else None
        return None
    if not isinstance(node, ast.Command):
        return None
    # Meta sequences inside a URL
    url = getattr(node, "url", None)
    if url is not None and _at(url.span, col):
        for meta in url.metas:
            if meta.span.start <= col < max(meta.span.end, meta.span.start + 1):
                expanded = bool(node.spec and node.spec.expands_meta)
                text = meta_markdown(meta.text, _model(script, settings))
                if not expanded:
                    text += f"\n\n_not expanded here: only `{'`, `'.join(_expanding())}` URLs and the UP1 /url setting replace meta sequences_"
                return text, node.at(meta)
    if isinstance(node, ast.ConfigLine) and node.module is not None and node.module.text.upper() == "UP1":
        for option in node.options:
            # The update URL setting (a URL-kind value): its meta sequences expand.
            if isinstance(option.parsed, ast.Url) and _at(option.parsed.span, col):
                for meta in option.parsed.metas:
                    if meta.span.start <= col < max(meta.span.end, meta.span.start + 1):
                        return meta_markdown(meta.text, _model(script, settings)), node.at(meta)
    # Options
    for option in node.options:
        if _at(option.span, col):
            if option.name.text == "/allow" and option.value is not None and isinstance(node, ast.Times):
                return f"`/allow {option.value.text}`: runs only at {hours_in_words(option.parsed)} (local time)", node.at(option)
            spec = node.spec.option(option.name.text) if isinstance(node, ast.ModCommand) and node.spec else None
            if isinstance(node, ast.ConfigLine) and node.module is not None and node.sub is None:
                spec = catalog.config_setting(node.module.text, option.key)
            if spec is not None:
                value = f" <{spec.placeholder}>" if spec.value else ""
                text = f"`{spec.name}{value}`: {spec.doc}"
                if spec.default is not None:
                    text += f" (default {spec.default})"
                if option.invalid is not None:
                    text += f"\n\n**not readable:** {option.invalid.message}"
                return text, node.at(option)
            return None
    # Final commands
    final = getattr(node, "final", None)
    if isinstance(node, ast.FinalLine):
        if _at(node.word.span, col):
            return final_markdown(node.final), node.at(node.word)
    elif isinstance(final, ast.Token) and _at(final.span, col):
        found = catalog.FINAL_COMMANDS.get(final.text.lower())
        if found is not None:
            return final_markdown(found), node.at(final)
        return f"`{final.text}` is not a final command (one of {', '.join(catalog.FINAL_COMMANDS)})", node.at(final)
    serial = getattr(node, "serial", None)
    if isinstance(serial, ast.Token) and _at(serial.span, col) and isinstance(node, ast.ModCommand) and node.spec:
        var = node.spec.reads
        return (f"serial `{serial.text}`: compared as a string with UPDATE/{var}; when equal, "
                f"the command is skipped"), node.at(serial)
    if isinstance(node, ast.ModCommand):
        words = [t for t in (*node.keywords, node.module, node.verb) if t is not None]
        if any(_at(t.span, col) for t in words):
            if node.spec is not None:
                return command_markdown(node.spec), node.span
            if node.module is not None and _at(node.module.span, col):
                verbs = catalog.verbs(node.module.text)
                if verbs:
                    listing = "\n".join(f"- `{c.verb}`: {c.summary}" for c in verbs)
                    return f"**module {node.module.text.upper()}**\n\n{listing}", node.at(node.module)
            return None
    if isinstance(node, (ast.ConfigLine, ast.VarsLine)) and node.verb is not None and _at(node.verb.span, col):
        table = catalog.CONFIG_VERBS if isinstance(node, ast.ConfigLine) else catalog.VARS_VERBS
        verb = table.get(node.verb.text.lower())
        if verb is not None:
            return f"`{node.keyword.text} {verb.verb}`: {verb.doc}", node.at(node.verb)
    if isinstance(node, ast.ConfigLine) and node.sub is not None and _at(node.sub.span, col):
        module = node.module.text.upper()
        known = node.sub.text in catalog.CONFIG_SUBOBJECTS.get(module, ())
        note = "" if known else " (not one the catalogue lists)"
        return (f"sub-object `{node.sub.text}` of module {module}{note}: configured, saved and backed up on its "
                f"own line, apart from the module's other sub-objects"), node.at(node.sub)
    return None


def _expanding() -> list[str]:
    return [f"{c.module} {c.verb}" for c in catalog.COMMANDS if c.expands_meta]
