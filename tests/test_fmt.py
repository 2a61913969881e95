"""The formatter and `innoscript fmt`."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from innoscript import catalog
from innoscript.cli import main
from innoscript.fmt import MAX_BLANK_LINES, format_source, format_text, reading
from innoscript.source import Source
from innoscript.syntax import ast, parse

# -- realistic scripts, from the catalogue ----------------------------------------------


def _cases(word: str):
    return st.sampled_from(sorted({word, word.lower(), word.upper(), word.capitalize()}))


FINALS = st.sampled_from(sorted(catalog.FINAL_COMMANDS) + list(catalog.NOOP_ALIASES)).flatmap(_cases)
URLS = st.sampled_from(
    ["http://10.0.0.5/fw/", "http://10.0.0.5/fw/ip232.bin", "http://srv/backup/#h-#b5.txt", "http://srv/cfg/#m.txt"]
)
SERIALS = st.sampled_from(["13-5001234", "2024-06-01", "1", "v13r1"])
OPTION_VALUES = {"hours": "22,23,0,1", "minutes": "6", "number": "1", "command": "vars%20read%20X509", "word": "x"}


@st.composite
def mod_command_words(draw) -> list[str]:
    command = draw(st.sampled_from(catalog.COMMANDS))
    verb = "time" if command.verb == "times" and draw(st.booleans()) else command.verb
    words = [draw(_cases("mod")), draw(_cases("cmd")), draw(_cases(command.module)), draw(_cases(verb))]
    for param in command.params:
        if not param.required and draw(st.booleans()):
            break
        kind = param.kind
        words.append(draw(URLS if kind == "url" else FINALS if kind == "final" else SERIALS))
    for option in command.options:
        if draw(st.booleans()):
            words.append(option.name)
            if option.value:
                words.append(OPTION_VALUES.get(option.value, "1"))
    if draw(st.integers(0, 5)) == 0:
        words.append(draw(st.sampled_from(["# note", "extra", "/flag"])))
    return words


@st.composite
def other_words(draw) -> list[str]:
    kind = draw(st.sampled_from(["config", "vars", "final", "generic"]))
    if kind == "config":
        verb = draw(st.sampled_from(sorted(catalog.CONFIG_VERBS)))
        words = [draw(_cases("config")), draw(_cases(verb))]
        if catalog.CONFIG_VERBS[verb].takes_module:
            words += [draw(st.sampled_from(["UP1", "up0", "CMD0", "WLANMGR0"])), "/name", "Nico%20Mobile"]
        return words
    if kind == "vars":
        return [draw(_cases("vars")), draw(_cases(draw(st.sampled_from(sorted(catalog.VARS_VERBS))))), "X509/REQUEST"]
    if kind == "final":
        return [draw(FINALS)]
    return [draw(st.sampled_from(["reset", "ireset", "FOO", "mod", "cmd"])), draw(st.sampled_from(["bar", "/x", "1"]))]


BLANKS = st.sampled_from([" ", "  ", "\t", " \t "])


@st.composite
def script_line(draw) -> str:
    kind = draw(st.sampled_from(["mod", "mod", "mod", "other", "comment", "blank", "broken"]))
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "\t", "  \t "]))
    if kind == "comment":
        return draw(st.sampled_from(["", " ", "\t"])) + draw(
            st.sampled_from(["# set CHECK var", "#", "#  two  blanks ", "# innolint: disable=UPD-025 -- staged  "])
        )
    words = draw(mod_command_words() if kind == "mod" else other_words())
    if kind == "broken":
        position = draw(st.integers(0, len(words) - 1))
        words[position] = words[position][:1] + draw(st.sampled_from(["\x01", "\x0b", "\x7f", "\x00"])) + words[position][1:]
    line = draw(st.sampled_from(["", " ", "\t"]))
    for index, word in enumerate(words):
        line += (draw(BLANKS) if index else "") + word
    return line + draw(st.sampled_from(["", "", " ", "\t "]))


@st.composite
def scripts(draw) -> str:
    """A script text with mixed line endings and, sometimes, no final newline."""
    lines = draw(st.lists(script_line(), min_size=1, max_size=12))
    ends = [draw(st.sampled_from(["\r\n", "\n", "\r", "\r\n"])) for _ in lines]
    if draw(st.booleans()):
        ends[-1] = ""
    return "".join(line + end for line, end in zip(lines, ends))


def non_blank_words(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """What a device would see: the kind and words of every non-blank line."""
    out = []
    for line in parse(text).lines:
        if isinstance(line, ast.Blank):
            continue
        if isinstance(line, (ast.SyntaxErrorLine,)):
            out.append((line.kind, (line.text,)))
        elif isinstance(line, ast.Comment):
            out.append(("comment", (line.text.strip(" \t"),)))
        else:
            # The node kind may change with case (`TIMES` is known once lower).
            out.append(("command", tuple(t.text.lower() for t in line.tokens)))
    return out


# -- the formatter -------------------------------------------------------------------------


def test_spacing_and_case_of_a_module_command():
    text = "  MOD   Cmd  up0\tprot   http://10.0.0.5/fw/   ireset 13-5001234  \r\n"
    assert format_text(text) == "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234\r\n"


def test_case_of_config_vars_and_final_lines_keywords_only():
    text = "CONFIG ADD up1 /poll 1\nConfig Write\nVARS Create X509/REQUEST 0 x\nIRESETN\n"
    assert format_text(text) == "config ADD UP1 /poll 1\nconfig Write\nvars Create X509/REQUEST 0 x\nIRESETN\n"


@pytest.mark.parametrize(
    "line",
    [
        "mod cmd UP1 TIMES /allow 3",  # unknown for the linter and the dry run; `times` would run
        "mod cmd UP0 Prot http://10.0.0.5/fw/ ireset 1",
        "mod cmd UP1 check IRESET 1",  # the interpreter reads final commands as written
        "mod cmd UP0 SCFG http://h/#h.txt",
        "mod cmd UP1 Poll",
        "mod cmd WLANMGR0 Activate-Pwr",
    ],
)
def test_a_case_change_that_changes_the_reading_is_not_formatting(line):
    """Verbs and final commands are read as written (spec Q7): their case stays."""
    formatted = format_text("  " + line.replace(" ", "  ") + " \n")
    assert formatted == line + "\n"
    assert reading(parse(formatted).lines[0]) == reading(parse(line).lines[0])


def test_fmt_does_not_change_what_the_dry_run_does():
    from datetime import datetime

    from innoscript.device import MemoryFetcher, make_state, run_poll

    text = "mod cmd UP1 TIMES /allow 3\nmod cmd UP1 check IRESET 1\nconfig add UP1 /poll 1\n"

    def dry_run(script: str):
        result = run_poll(make_state("IP232"), MemoryFetcher(default=b""), now=datetime(2026, 1, 1, 3), script=script)
        return [type(e).__name__ for e in result.events], result.summary

    assert dry_run(format_text(text)) == dry_run(text)
    assert parse(format_text(text)).lines[0].spec is None


def test_fmt_never_turns_latin1_bytes_into_a_byte_order_mark():
    data = b" \xef\xbb\xbfmod cmd UP1 times /allow 3\n# caf\xe9\n"
    source = Source.from_bytes(data)
    assert source.encoding == "latin-1" and not source.bom
    out = source.encode(format_source(source))
    assert not out.startswith(b"\xef\xbb\xbf")
    again = Source.from_bytes(out)
    assert not again.bom and again.encoding == "latin-1"
    assert again.text.split("\n")[0].strip() == source.text.split("\n")[0].strip()


def test_unknown_words_keep_their_case():
    text = "mod cmd UP0 Firmware http://X/ IRESET 1\nconfig add cmd0 /Name Nico\nFOO Bar\nmod cmd x9 Prot\n"
    assert format_text(text) == "mod cmd UP0 Firmware http://X/ IRESET 1\nconfig add cmd0 /Name Nico\nFOO Bar\nmod cmd x9 Prot\n"


def test_time_alias_is_left_for_the_linter():
    assert format_text("mod cmd up1 time /allow 1\n") == "mod cmd UP1 time /allow 1\n"
    assert format_text("mod cmd up1 TIME /allow 1\n") == "mod cmd UP1 TIME /allow 1\n"


def test_comments_lose_only_outer_blanks():
    assert format_text("   #  keep   THIS  \t\n\t# innolint: disable=UPD-001 -- why  \n") == (
        "#  keep   THIS\n# innolint: disable=UPD-001 -- why\n"
    )


def test_syntax_error_lines_are_verbatim():
    text = "  mod\x01cmd   UP0 prot  \n"
    assert format_text(text) == text


def test_blank_lines_are_emptied_and_long_runs_cut():
    text = "a\n \n\t\n\n\n\nb\n\n  \nc"
    assert format_text(text) == "a\n\n\nb\n\n\nc"
    assert MAX_BLANK_LINES == 2


def test_line_endings_are_kept_per_line_including_a_missing_last_one():
    text = "mod  cmd UP1 poll\r\nconfig  write\rIRESETN\nser  "
    assert format_text(text) == "mod cmd UP1 poll\r\nconfig write\rIRESETN\nser"


def test_blank_run_at_the_end_keeps_the_missing_final_newline():
    text = "ser\n\n\n\n  "
    formatted = format_text(text)
    assert formatted == "ser\n\n"
    assert format_text(formatted) == formatted


def test_binary_source_is_returned_as_is():
    source = Source.from_bytes(b"mod\x00cmd", "x.bin")
    assert format_source(source) == source.text


@settings(max_examples=150, deadline=None)
@given(scripts())
def test_formatting_is_idempotent(text):
    once = format_text(text)
    assert format_text(once) == once


@settings(max_examples=150, deadline=None)
@given(scripts())
def test_formatting_changes_only_blanks_and_case(text):
    formatted = format_text(text)
    assert non_blank_words(formatted) == non_blank_words(text)
    before = parse(text).syntax_errors
    after = parse(formatted).syntax_errors
    assert [line.text for line in after] == [line.text for line in before]


@settings(max_examples=100, deadline=None)
@given(scripts(), st.booleans(), st.sampled_from(["utf-8", "latin-1"]))
def test_encoding_bom_and_line_endings_are_kept(text, bom, encoding):
    if encoding == "latin-1":
        text = text.replace("Nico%20Mobile", "Caf\xe9")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    source = Source.from_bytes(data, "update-ip232.htm")
    if source.binary:
        return
    written = source.encode(format_source(source))
    again = Source.from_bytes(written, "update-ip232.htm")
    assert again.bom == source.bom and again.encoding == source.encoding
    endings = [line.newline for line in source.lines if line.text.strip(" \t")]
    assert [line.newline for line in again.lines if line.text.strip(" \t")] == endings


PIECES = st.sampled_from(list("mod cmd UP0 prot x #/\t\r\n\x01\x0b ") + ["IRESET", "config", "Vars", "\r\n", "  ", "\ufeff"])


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_formatting_any_text_is_idempotent_and_keeps_the_words(text):
    source = Source.from_bytes(text.encode("utf-8"), "update-ip232.htm")
    # Several U+FEFF at the start do not survive Source's own round trip
    # (both the bytes reader and the text constructor strip one): not ours.
    assume(Source.from_bytes(source.encode(), source.path).text == source.text)
    once = format_source(source)
    # Read back as a device (and the next run) would: from the written bytes.
    again = Source.from_bytes(source.encode(once), source.path)
    assert again.text == once
    assert format_source(again) == once
    assert non_blank_words(once) == non_blank_words(source.text)


def test_formatting_a_real_corpus_file_is_stable():
    folder = os.path.join(os.path.dirname(__file__), "..", "corpus", "clean")
    names = sorted(n for n in os.listdir(folder) if n.endswith(".htm"))
    assert names
    for name in names:
        source = Source.from_path(os.path.join(folder, name))
        formatted = format_source(source)
        assert format_text(formatted) == formatted
        assert non_blank_words(formatted) == non_blank_words(source.text)


# -- innoscript fmt ------------------------------------------------------------------------


@pytest.fixture
def runner():
    return CliRunner()


def write(path, data: bytes, mode: int = 0o644):
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


def test_fmt_rewrites_files_keeping_encoding_bom_endings_and_mode(runner, tmp_path):
    path = write(tmp_path / "update-ip232.htm", b"\xef\xbb\xbfMOD cmd up0  prot http://x/ ireset 1\r\nconfig add CMD0 /name Caf\xe9\r\n", 0o640)
    result = runner.invoke(main, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == b"\xef\xbb\xbfmod cmd UP0 prot http://x/ ireset 1\r\nconfig add CMD0 /name Caf\xe9\r\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["update-ip232.htm"]
    assert "1 file reformatted" in result.output


def test_fmt_check_writes_nothing_and_exits_1(runner, tmp_path):
    messy = write(tmp_path / "a.htm", b"mod  cmd UP1 poll\n")
    clean = write(tmp_path / "b.htm", b"mod cmd UP1 poll\n")
    result = runner.invoke(main, ["fmt", "--check", str(messy), str(clean)])
    assert result.exit_code == 1
    assert f"would reformat {messy}" in result.output
    assert messy.read_bytes() == b"mod  cmd UP1 poll\n"
    assert runner.invoke(main, ["fmt", "--check", str(clean)]).exit_code == 0


def test_fmt_diff_prints_a_unified_diff(runner, tmp_path):
    path = write(tmp_path / "a.htm", b"ser\nmod  cmd UP1 poll")
    result = runner.invoke(main, ["fmt", "--diff", str(path)])
    assert result.exit_code == 1
    assert "-mod  cmd UP1 poll\n\\ No newline at end of file\n+mod cmd UP1 poll\n\\ No newline at end of file\n" in result.output
    assert path.read_bytes() == b"ser\nmod  cmd UP1 poll"


def test_fmt_stdin_to_stdout(runner):
    result = runner.invoke(main, ["fmt", "-"], input=b"CONFIG  write\r\n")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"config write\r\n"
    check = runner.invoke(main, ["fmt", "--check", "-"], input=b"CONFIG  write\r\n")
    assert check.exit_code == 1 and check.stdout_bytes == b""


def test_fmt_unreadable_and_binary_inputs_exit_2_without_traceback(runner, tmp_path):
    binary = write(tmp_path / "fw.bin", b"\x00\x01\x02")
    good = write(tmp_path / "a.htm", b"mod  cmd UP1 poll\n")
    result = runner.invoke(main, ["fmt", str(tmp_path / "missing.htm"), str(binary), str(good)])
    assert result.exit_code == 2
    assert "error: " in result.output and "no such file" in result.output and "binary file" in result.output
    assert "Traceback" not in result.output
    assert binary.read_bytes() == b"\x00\x01\x02"
    assert good.read_bytes() == b"mod cmd UP1 poll\n"  # the readable file is still formatted


def test_fmt_walks_folders_for_update_scripts(runner, tmp_path):
    (tmp_path / "site").mkdir()
    script = write(tmp_path / "site" / "update-ip232.htm", b"MOD cmd up1 poll\n")
    other = write(tmp_path / "site" / "notes.txt", b"MOD  cmd\n")
    result = runner.invoke(main, ["fmt", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert script.read_bytes() == b"mod cmd UP1 poll\n"
    assert other.read_bytes() == b"MOD  cmd\n"
    assert "1 file reformatted" in result.output


def test_fmt_leaves_formatted_files_untouched(runner, tmp_path):
    path = write(tmp_path / "a.htm", b"mod cmd UP1 poll\n")
    before = os.stat(path).st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    result = runner.invoke(main, ["fmt", str(path)])
    assert result.exit_code == 0 and "0 files reformatted, 1 file left unchanged" in result.output
    assert os.stat(path).st_mtime_ns == before - 10**9


def test_the_example_in_the_docs_is_what_the_formatter_does():
    import re

    page = open(os.path.join(os.path.dirname(__file__), "..", "docs", "fmt.md"), encoding="utf-8").read()
    before = re.search(r"Before:\n\n```\n(.*?)```", page, re.DOTALL).group(1)
    after = re.search(r"After:\n\n```\n(.*?)```", page, re.DOTALL).group(1)
    assert format_text(before) == after
