"""Every output format against its golden file, plus what each format promises.

The results are made by linting small scripts: with the registered source
rules (UPD-090 syntax error, UPD-091 not UTF-8), selected by code so that
rules added later do not change the output, and with two rules defined here
(codes TST-...) that give a safe fix, an unsafe fix and a related location.
``INNOSCRIPT_UPDATE_GOLDEN=1`` rewrites the golden files.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from innoscript import __version__, catalog
from innoscript.lint import Diagnostic, Settings, lint_script
from innoscript.lint.context import LintContext
from innoscript.lint.report import FORMATS, render, write
from innoscript.lint.report.github import escape_data, escape_property
from innoscript.lint.result import FileResult
from innoscript.lint.rule import Rule
from innoscript.lint.diagnostic import Severity
from innoscript.source import Cols, Source
from innoscript.syntax import ast, parse

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("INNOSCRIPT_UPDATE_GOLDEN") == "1"
REAL_RULES = Settings(select=("UPD-090", "UPD-091"))


# -- rules of these tests ---------------------------------------------------------


def verb_case(ctx: LintContext):
    """A known verb written with capitals."""
    for line in ctx.lines(ast.ModCommand):
        if line.module is None or line.verb is None or line.verb.text.islower():
            continue
        if catalog.lookup(line.module.text, line.verb.text.lower()) is not None:
            lowered = line.verb.text.lower()
            yield ctx.finding(
                line.at(line.verb),
                f"verb `{line.verb.text}` is written `{lowered}` everywhere",
                fix=ctx.replace(line.at(line.verb), lowered, f"write `{lowered}`"),
            )


def trailing_comment(ctx: LintContext):
    """A `#` word after a complete command."""
    for line in ctx.lines(ast.Command):
        words = [t for t in line.tokens if t.text.startswith("#") and t is not line.tokens[0]]
        if not words:
            continue
        first = words[0]
        previous = line.tokens[line.tokens.index(first) - 1]
        remove = line.at(Cols(previous.span.end, len(line.text)))
        yield ctx.finding(
            line.at(Cols(first.span.start, len(line.text))),
            "a `#` after a command is not a comment: the words are sent to the device",
            fix=ctx.replace(remove, "", "remove the words from `#` on", safe=False),
            related=(ctx.related(line.at(line.tokens[0]), "the command starts here"),),
        )


TEST_RULES = (
    Rule("TST-001", "verb-case", Severity.WARNING, "lexical", "safe", "", verb_case, "A known verb with capitals."),
    Rule("TST-002", "trailing-comment", Severity.HINT, "lexical", "unsafe", "", trailing_comment, "A trailing `#`."),
)


def lint(source: Source) -> list[Diagnostic]:
    """The registered source rules plus the rules of these tests."""
    script = parse(source)
    diagnostics = list(lint_script(script, REAL_RULES))
    ctx = LintContext(script, REAL_RULES)
    for rule in TEST_RULES:
        for f in rule.check(ctx):
            diagnostics.append(
                Diagnostic(rule.code, rule.name, rule.severity, f.message, script.path, f.span, f.fix, f.related)
            )
    return sorted(diagnostics, key=lambda d: d.sort_key)


SCRIPTS: tuple[tuple[str, bytes], ...] = (
    (
        "sites/berlin/update-ip232.htm",
        "# staged rollout\r\n"
        "mod cmd UP1 Times /allow 22,23,0 /initial 6\r\n"
        "mod cmd UP0\t\tProt http://10.0.0.5/\U0001F600/ ireset 13-5001234 # new firmware, \"urgent\"\r\n"
        "mod\x01cmd UP1 check iresetn 2024-06-01\r\n".encode("utf-8"),
    ),
    ("update-ip1200.htm", b"mod cmd UP1 check iresetn 2024-06-01\nmod cmd UP0 prot http://10.0.0.5/fw/ iresetn 13-5001234\n"),
    ("update-ip800.htm", b"config add CMD0 /name Caf\xe9 <&>\n"),
)


def results() -> list[FileResult]:
    out = []
    for path, data in SCRIPTS:
        source = Source.from_bytes(data, path)
        out.append(FileResult(path, source, tuple(lint(source))))
    return out


def normalise(format_name: str, text: str) -> str:
    """The tool version is not part of the golden output."""
    if format_name == "sarif":
        return text.replace(f'"version": "{__version__}"', '"version": "<version>"').replace(
            f'"semanticVersion": "{__version__}"', '"semanticVersion": "<version>"'
        )
    return text


# -- golden files -------------------------------------------------------------------


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_golden(format_name):
    text = normalise(format_name, render(format_name, results(), color=False))
    golden = GOLDEN / f"{format_name}.txt"
    if UPDATE or not golden.exists():
        if not UPDATE:
            pytest.fail(f"{golden} is missing; run with INNOSCRIPT_UPDATE_GOLDEN=1 to create it")
        golden.write_bytes(text.encode("utf-8"))
    assert text == golden.read_bytes().decode("utf-8")


def test_the_inputs_produce_every_kind_of_finding():
    diagnostics = [d for r in results() for d in r.diagnostics]
    codes = {d.code for d in diagnostics}
    assert {"UPD-090", "UPD-091", "TST-001", "TST-002"} <= codes
    assert any(d.fix and d.fix.safe for d in diagnostics)
    assert any(d.fix and not d.fix.safe for d in diagnostics)
    assert any(d.related for d in diagnostics)


def test_unknown_format_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown output format 'xml'.*full"):
        render("xml", results())


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_output_is_deterministic(format_name):
    assert render(format_name, results()) == render(format_name, results())


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_written_pieces_are_the_rendered_text(format_name):
    pieces: list[str] = []
    write(format_name, results(), pieces.append, color=False)
    assert "".join(pieces) == render(format_name, results(), color=False)


@pytest.mark.parametrize("format_name", ["json", "json-lines", "sarif"])
def test_data_formats_hand_over_a_finding_at_a_time(format_name):
    """The CLI writes each piece as it comes: a report of 100,000 findings is never held whole."""
    found = results()
    count = sum(len(r.diagnostics) for r in found)
    pieces: list[str] = []
    write(format_name, found, pieces.append)
    one_each = [piece for piece in pieces if piece.count('"code"' if format_name != "sarif" else '"ruleId"') == 1]
    assert len(one_each) == count


# -- json --------------------------------------------------------------------------


def test_json_objects_have_the_documented_keys():
    data = json.loads(render("json", results()))
    assert len(data) == sum(len(r.diagnostics) for r in results())
    keys = {"code", "name", "severity", "message", "path", "span", "fix", "related", "unnecessary", "url"}
    for item in data:
        assert set(item) == keys
        assert set(item["span"]) == {"start", "end", "line", "col", "end_line", "end_col"}
        assert item["severity"] in ("error", "warning", "hint", "info")
    fixed = [item for item in data if item["fix"]]
    assert {tuple(sorted(item["fix"])) for item in fixed} == {("edits", "message", "safe")}
    syntax = next(item for item in data if item["code"] == "UPD-090")
    assert syntax["fix"] is None and syntax["url"] is None  # no published address: no made-up link
    assert next(item for item in data if item["code"] == "TST-001")["url"] is None


def test_json_edit_spans_rebuild_the_fixed_text():
    result = results()[0]
    item = next(i for i in json.loads(render("json", [result])) if i["code"] == "TST-001")
    edit = item["fix"]["edits"][0]
    text = result.source.text
    fixed = text[: edit["span"]["start"]] + edit["text"] + text[edit["span"]["end"] :]
    assert "mod cmd UP1 times /allow" in fixed


def test_json_lines_is_one_object_per_finding():
    lines = render("json-lines", results()).splitlines()
    assert [json.loads(line) for line in lines] == json.loads(render("json", results()))


def test_json_of_no_results_is_an_empty_array():
    assert json.loads(render("json", [])) == []
    assert render("json-lines", []) == ""


# -- concise / gcc --------------------------------------------------------------------


def test_concise_and_gcc_lines_point_at_the_findings():
    concise = render("concise", results(), summary=False).splitlines()
    gcc = render("gcc", results(), summary=False).splitlines()
    diagnostics = [d for r in results() for d in r.diagnostics]
    assert len(concise) == len(diagnostics)
    for line, d in zip(concise, diagnostics):
        assert line == f"{d.path}:{d.span.line}:{d.span.col}: {d.code} {d.severity.name.lower()}: {d.message}"
    assert "sites/berlin/update-ip232.htm:4:4: error: syntax error" in gcc[-2] or any(
        g.startswith("sites/berlin/update-ip232.htm:4:4: error: ") for g in gcc
    )
    assert any(re.fullmatch(r".*: note: the command starts here", g) for g in gcc)
    assert all(re.match(r"^[^:]+:\d+:\d+: (error|warning|note): ", g) for g in gcc)


@pytest.mark.parametrize("format_name", ["full", "concise", "gcc"])
def test_text_formats_name_severities_and_end_with_counts_and_the_exit_reason(format_name):
    text = render(format_name, results())
    lines = text.rstrip("\n").splitlines()
    assert lines[-2:] == [
        "Found 5 problems in 3 files (1 error, 3 warnings, 1 hint).",
        "Exit status 1: 4 problems at or above the fail level (warning).",
    ] or lines[-3:-1] == [
        "Found 5 problems in 3 files (1 error, 3 warnings, 1 hint).",
        "Exit status 1: 4 problems at or above the fail level (warning).",
    ]
    for word in ("error", "warning"):
        assert f" {word}: " in text
    if format_name != "gcc":  # gcc's vocabulary calls hints notes
        assert " hint: " in text


def test_summary_names_the_fail_level_that_decided_and_unreadable_inputs():
    strict = render("concise", results(), fail_levels=[Severity.ERROR] * 3)
    assert strict.endswith("Exit status 1: 1 problem at or above the fail level (error).\n")
    lenient = render("concise", results()[1:2], fail_levels=[Severity.ERROR])
    assert lenient.endswith("No problems found in 1 file.\n")
    mixed = render("concise", results(), fail_levels=[Severity.ERROR, Severity.INFO, Severity.INFO])
    assert "the fail level of each file (error, info)" in mixed
    broken = render("gcc", results(), errors=1)
    assert broken.endswith("Exit status 2: 1 error reported on standard error.\n")
    assert render("concise", [], errors=1) == "No files linted.\nExit status 2: 1 error reported on standard error.\n"
    assert "Found" not in render("concise", results(), summary=False)


# -- github ---------------------------------------------------------------------------


def test_github_escapes_as_documented():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_workflow_commands():
    lines = render("github", results()).splitlines()
    pattern = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+(,col=\d+,endLine=\d+,endColumn=\d+|,endLine=\d+),title=[^:,]+::.*$")
    assert all(pattern.match(line) for line in lines), lines
    comment = next(line for line in lines if "TST-002" in line)
    # The message's comma is data, not a property separator: it stays as is.
    assert comment.startswith("::notice file=sites/berlin/update-ip232.htm,line=3,col=")
    verb = next(line for line in lines if "TST-001" in line and "line=2" in line)
    assert ",col=13,endLine=2,endColumn=17," in verb  # `Times`, columns 13..17 inclusive


# -- junit -----------------------------------------------------------------------------


def test_junit_is_valid_xml_with_a_case_per_file():
    text = render("junit", results())
    root = ET.fromstring(text.encode("utf-8"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [path for path, _ in SCRIPTS]
    failing = sum(1 for r in results() if r.diagnostics)
    assert failing == 2
    assert suite.get("tests") == "3" and suite.get("failures") == str(failing)
    failures = [f for c in cases for f in c.findall("failure")]
    assert len(failures) == sum(len(r.diagnostics) for r in results())
    assert all(f.get("type") in ("error", "warning", "hint", "info") for f in failures)


def test_junit_escapes_markup_and_control_characters():
    source = Source("x", "a<b>&\"c\x01.htm")
    d = Diagnostic("UPD-090", "syntax-error", Severity.ERROR, "bad <\x01> & \"quoted\"", source.path, source.span(0, 1))
    text = render("junit", [FileResult(source.path, source, (d,))])
    root = ET.fromstring(text.encode("utf-8"))  # raises on invalid XML
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == 'UPD-090 bad <\\x01> & "quoted"'
    assert root.find("testsuite/testcase").get("name") == 'a<b>&"c\\x01.htm'


def test_junit_clean_file_is_a_passing_case():
    source = Source("mod cmd UP1 check ser 1\n", "ok.htm")
    root = ET.fromstring(render("junit", [FileResult("ok.htm", source, ())]))
    assert root.find("testsuite").get("failures") == "0"
    assert root.find("testsuite/testcase").findall("failure") == []


def _junit_by_element_tree(results) -> str:
    """The report as ElementTree lays it out: what the junit format writes as text, a file at a time."""
    from innoscript.lint.report.common import rule_docs, severity_word
    from innoscript.lint.report.junit import xml_text

    failing = sum(1 for result in results if result.diagnostics)
    counts = {"name": "innolint", "tests": str(len(results)), "failures": str(failing)}
    suite = ET.Element("testsuite", {**counts, "errors": "0", "skipped": "0"})
    for result in results:
        case = ET.SubElement(suite, "testcase", {"classname": "innolint", "name": xml_text(result.path)})
        for d in result.diagnostics:
            failure = ET.SubElement(case, "failure", {"message": xml_text(f"{d.code} {d.message}"),
                                                      "type": severity_word(d.severity)})
            lines = [f"{d.path}:{d.span.line}:{d.span.col}: {d.code} [{d.name}] {d.message}"]
            lines += [f"{r.path or d.path}:{r.span.line}:{r.span.col}: related: {r.message}" for r in d.related]
            if rule_docs(d.code):
                lines.append(f"docs: {rule_docs(d.code)}")
            failure.text = xml_text("\n".join(lines))
    root = ET.Element("testsuites", counts)
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_XML_TRICKS = st.lists(st.sampled_from(list("a<>&\"'\r\n\t \x01\x1f\ufffe\u00e4\u4e2d\U0001f600]") + ["]]>", "&amp;"]),
                       max_size=8).map("".join)


@settings(max_examples=60, deadline=None)
@given(files=st.lists(st.tuples(_XML_TRICKS, st.lists(st.tuples(_XML_TRICKS, _XML_TRICKS), max_size=3)), max_size=4))
def test_junit_is_the_document_element_tree_writes(files):
    """Paths, messages and related messages with markup, line breaks, tabs, control and
    astral characters; clean files, and no file at all: the text is ElementTree's, byte for byte."""
    from innoscript.lint.diagnostic import Related

    made = []
    for number, (path, findings) in enumerate(files):
        source = Source("mod cmd UP1 check ser 1\nconfig write\n", f"{number}{path}.htm")
        diagnostics = tuple(
            Diagnostic("UPD-090", "syntax-error", Severity.WARNING if index % 2 else Severity.ERROR, message, source.path,
                       source.span(0, 3), related=(Related(source.span(24, 30), other),) if other else ())
            for index, (message, other) in enumerate(findings)
        )
        made.append(FileResult(source.path, source, diagnostics))
    assert render("junit", made) == _junit_by_element_tree(made)


# -- sarif -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_sarif_is_valid_against_the_official_schema(sarif_validator):
    log = json.loads(render("sarif", results()))
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_sarif_schema_rejects_a_broken_log(sarif_validator):
    """The validator is real: a log with a wrong level fails."""
    log = json.loads(render("sarif", results()))
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(log))


def test_sarif_empty_run_is_valid(sarif_validator):
    log = json.loads(render("sarif", []))
    assert not list(sarif_validator.iter_errors(log))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_results_rules_and_regions():
    log = json.loads(render("sarif", results()))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "innolint" and driver["version"] == __version__
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    syntax_rule = next(r for r in rules if r["id"] == "UPD-090")
    assert syntax_rule["name"] == "syntax-error"
    assert syntax_rule["defaultConfiguration"]["level"] == "error"
    assert "helpUri" not in syntax_rule and syntax_rule["help"]["text"].endswith("(innolint rule UPD-090)")
    assert syntax_rule["help"]["markdown"].startswith("A line cannot be read as a command.")
    assert "tags" in syntax_rule["properties"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert "\\" not in uri and not uri.startswith("/")
    assert run["invocations"][0]["executionSuccessful"] is True
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["UPD-090"] == "error" and levels["UPD-091"] == "warning" and levels["TST-002"] == "note"


def test_sarif_columns_count_utf16_code_units():
    log = json.loads(render("sarif", results()))
    comment = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "TST-002")
    region = comment["locations"][0]["physicalLocation"]["region"]
    line = results()[0].source.lines[2].text
    column = line.index("#") + 1
    # The emoji before the `#` is one character but two UTF-16 code units.
    assert region["startColumn"] == column + 1
    assert region["endColumn"] == len(line) + 2


@pytest.mark.parametrize("text", ["ab\r\ncd\n", "ab\n\U0001F600x\ny\u00e9\U0001F600z\n", "\U0001F600", ""])
def test_sarif_columns_are_utf16_units_on_every_line(text):
    """Counted per file and line (an ASCII one as it is), each column is what the source says."""
    from innoscript.lint.report.sarif import region

    source = Source(text, "update-ip232.htm")
    for line in range(1, len(source.lines) + 1):
        content = source.lines[line - 1].text
        # Every place in the line and its end; past them too where the count is clamped (not ASCII).
        first, last = (1, len(content) + 1) if content.isascii() else (-1, len(content) + 4)
        for col in range(first, last + 1):
            got = region(source, source.span(0, 0)._replace(line=line, col=col, end_line=line, end_col=col))
            assert got["startColumn"] == got["endColumn"] == source.utf16_col(line, col) + 1


def test_sarif_fixes_and_related_locations():
    log = json.loads(render("sarif", results()))
    by_rule = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    fix = by_rule["TST-001"]["fixes"][0]
    replacement = fix["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] in ("times", "prot")
    assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(replacement["deletedRegion"])
    related = by_rule["TST-002"]["relatedLocations"][0]
    assert related["message"]["text"] == "the command starts here"
    assert related["physicalLocation"]["region"]["startColumn"] == 1
    assert "fixes" not in by_rule["UPD-090"]


def test_sarif_uri_of_absolute_paths(tmp_path):
    from innoscript.lint.report.sarif import artifact_uri

    inside = tmp_path / "sub dir" / "update-ip72.htm"
    assert artifact_uri(str(inside), str(tmp_path)) == "sub%20dir/update-ip72.htm"
    outside = artifact_uri(str(inside), str(tmp_path / "elsewhere"))
    assert outside.startswith("file:///") and outside.endswith("/sub%20dir/update-ip72.htm")
    assert artifact_uri("<stdin>", str(tmp_path)) == "%3Cstdin%3E"


def test_sarif_severity_settings_change_the_rule_level():
    log = json.loads(render("sarif", results(), settings=Settings(severity={"UPD-091": Severity.ERROR})))
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "UPD-091")
    assert rule["defaultConfiguration"]["level"] == "error"


class KeptResult(FileResult):
    """A result whose SARIF results were kept printed (as a cache or a pool's worker keeps them)."""

    __slots__ = ("kept",)

    def __init__(self, result: FileResult) -> None:
        super().__init__(result.path, result.source, result.diagnostics)
        from innoscript.lint.report import block

        self.kept = block("sarif", result.diagnostics, result.source)

    def printed(self, format_name: str):
        return self.kept if format_name == "sarif" else None


def test_sarif_from_kept_results_is_the_log_made_from_the_findings():
    """Rule list, indexes, levels of codes no rule owns, URIs, fixes, related places, UTF-16 columns."""
    found = results()
    # The same code in two files with another severity: the first file's describes the rule.
    other = Diagnostic("TST-002", "trailing-comment", Severity.ERROR, "again", "update-ip1200.htm",
                       found[1].source.span(0, 3))
    found[1] = found[1]._replace(diagnostics=(other, *found[1].diagnostics))
    empty = FileResult("update-ip72.htm", Source("", "update-ip72.htm"), ())
    for chosen in (found, found[::-1], [found[2], empty, found[0]], [empty], []):
        kept = [KeptResult(r) for r in chosen]
        assert all(type(r.kept) is bytes for r in kept)
        for settings in (None, Settings(severity={"UPD-091": Severity.ERROR})):
            assert render("sarif", kept, settings=settings) == render("sarif", chosen, settings=settings)
    levels = {r["id"]: r["defaultConfiguration"]["level"]
              for r in json.loads(render("sarif", [KeptResult(r) for r in found[::-1]]))["runs"][0]["tool"]["driver"]["rules"]}
    assert levels["TST-002"] == "error"


def test_sarif_keeps_no_results_that_point_into_another_file():
    """Another file's URI is not the file's own: such a file is printed from its findings."""
    from innoscript.lint.diagnostic import Related
    from innoscript.lint.report import block

    result = results()[0]
    first = result.diagnostics[0]
    elsewhere = first._replace(related=(Related(first.span, "loaded from here", "sites/update-ip232.htm"),))
    assert block("sarif", (elsewhere,), result.source) is None
    assert block("sarif", result.diagnostics, result.source) is not None
