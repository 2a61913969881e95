"""A warm cache prints exactly what linting afresh prints, and builds nothing it does not need.

Each case runs `innolint` three times over the same files: without the cache,
with an empty one (cold) and with the cache that run wrote (warm).  Standard
output, standard error and the exit status must agree byte for byte, in
every format and with the options that change what is printed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from innoscript.cli.lint import lint_command
from innoscript.cli.lint_options import FORMAT_NAMES
from innoscript.lint import cache as cache_module
from innoscript.lint.config import clear_caches
from innoscript.lint.report import BLOCK_FORMATS, render
from innoscript.lint.session import Session

REPO = Path(__file__).resolve().parent.parent

SCRIPTS: dict[str, bytes] = {
    # CRLF, an emoji in a URL, a control character, capitals, a trailing `#`: findings with fixes and related places
    "sites/berlin/update-ip232.htm": (
        "# staged rollout\r\n"
        "mod cmd UP1 Times /allow 22,23,0 /initial 6\r\n"
        "mod cmd UP0\t\tProt http://10.0.0.5/\U0001F600/ ireset 13-5001234 # new firmware, \"urgent\"\r\n"
        "mod\x01cmd UP1 check iresetn 2024-06-01\r\n"
    ).encode("utf-8"),
    "update-ip1200.htm": b"mod cmd UP1 check iresetn 2024-06-01\nmod cmd UP0 prot http://10.0.0.5/fw/ iresetn 13-5001234\n",
    "update-ip800.htm": b"config add CMD0 /name Caf\xe9 <&>\n",  # latin-1
    # an unused suppression: a safe fix
    "update-a.htm": b"# innolint: disable-next-line=UPD-090 -- stale\nmod cmd UP1 check iresetn 2024-06-01\n",
    "quiet/update-ip232.htm": b"mod cmd UP1 times /allow 23,0,1 /initial 6\nconfig write\n",
}


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, data in SCRIPTS.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_bytes(data)
    # A script whose `cfg` line loads a payload: the payload is linted and reported too.
    shutil.copytree(REPO / "examples", "examples")
    clear_caches()
    yield
    clear_caches()


PATHS = (".", "examples/update-ip1200.htm")


def invoke(*args: str, input: bytes | None = None):
    result = CliRunner().invoke(lint_command, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.stdout, result.stderr, result.exit_code


def three_runs(*args: str, cache: str = "cache") -> tuple:
    """(no cache, cold, warm) outputs of the same command line."""
    shutil.rmtree(cache, ignore_errors=True)
    fresh = invoke("--no-cache", *args)
    cold = invoke("--cache-dir", cache, *args)
    warm = invoke("--cache-dir", cache, *args)
    return fresh, cold, warm


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
@pytest.mark.parametrize("options", [(), ("--quiet", "--fail-level", "error"), ("--exit-zero", "--fail-level", "hint")])
def test_warm_output_is_cold_output_byte_for_byte(format_name, options):
    fresh, cold, warm = three_runs("--format", format_name, "--color", "never", *options, *PATHS)
    assert fresh[0], "the files have findings"
    assert cold == fresh
    assert warm == fresh


def test_sarif_from_the_cache_and_from_a_pool_in_every_encoding_with_standard_input():
    """The kept results count columns in UTF-16 units as the fresh ones do, whatever the file's
    encoding; standard input is never kept, and a pool's workers print what one process does."""
    Path("enc").mkdir()
    Path("enc/update-u16.htm").write_bytes(
        "mod cmd UP1 Times /allow 23,0,1 /initial 6\r\nconfig add CMD0 /name \u00e9\U0001F600 x\r\n".encode("utf-16"))
    Path("enc/update-bom.htm").write_bytes("\ufeffmod cmd UP0 Prot http://10.0.0.5/\u00e9/ iresetn 13-5 # x\n".encode())
    Path("enc/update-clean.htm").write_bytes(b"")
    stdin = "mod\x01cmd UP1 check \u00e4\U0001F600 # x\n".encode()
    args = ("--format", "sarif", "enc", "-", *PATHS)
    fresh = invoke("--no-cache", *args, input=stdin)
    assert "UTF-16" in fresh[0] and "%3Cstdin%3E" in fresh[0]
    for cache in ("c", "c", "p", "p"):
        assert invoke("--cache-dir", cache, *(("--jobs", "2") if cache == "p" else ()), *args, input=stdin) == fresh


@pytest.mark.parametrize("options", [("--statistics",), ("--statistics", "--format", "json"), ("--select", "UPD-093"),
                                     ("--format", "gcc", "--output-file", "report.txt")])
def test_statistics_selection_and_output_file_from_a_warm_cache(options):
    fresh, cold, warm = three_runs(*options, *PATHS)
    assert cold == fresh and warm == fresh
    if "--output-file" in options:
        assert Path("report.txt").read_text(encoding="utf-8").startswith("examples/")


def test_baselines_from_a_warm_cache():
    invoke("--no-cache", "--write-baseline", "fresh.json", *PATHS)
    invoke("--cache-dir", "c", *PATHS)  # fill the cache
    invoke("--cache-dir", "c", "--write-baseline", "warm.json", *PATHS)
    assert Path("warm.json").read_bytes() == Path("fresh.json").read_bytes()
    Path("update-a.htm").write_bytes(SCRIPTS["update-a.htm"] + b"mod\x01cmd UP1 poll\n")  # one new finding
    fresh, cold, warm = three_runs("--baseline", "fresh.json", "--format", "concise", *PATHS, cache="c")
    assert "update-a.htm:3:4: UPD-090" in fresh[0] and "accepted by the baseline" in fresh[1]
    assert cold == fresh and warm == fresh


def test_changing_format_on_one_cache_prints_each_format_right():
    expected = {name: invoke("--no-cache", "--format", name, *PATHS) for name in FORMAT_NAMES}
    for name in ("concise", "gcc", "json", "github", "concise", "json-lines", "full", "gcc", "sarif", "junit", "json-lines"):
        assert invoke("--cache-dir", "c", "--format", name, *PATHS) == expected[name], name
    # (`full` is printed plain here: the output is no terminal)
    assert cache_parts("c") == {"index", "findings"} | {f"printed {name}" for name in BLOCK_FORMATS if name != "full-color"}


def cache_parts(folder: str) -> set[str]:
    """The names of the parts of the cache file in ``folder``."""
    (path,) = Path(folder).glob("results-*.bin")
    cache = cache_module.ResultCache(folder)
    assert cache.path == str(path)
    return set(cache._table)


def test_fixing_after_a_warm_run_and_the_warm_run_after_fixing(tmp_path, monkeypatch):
    copy = tmp_path.parent / f"{tmp_path.name}-copy"
    shutil.copytree(tmp_path, copy)
    invoke("--cache-dir", "c", "--format", "concise", *PATHS)
    invoke("--cache-dir", "c", "--format", "concise", *PATHS)  # warm
    fixed = invoke("--cache-dir", "c", "--fix", "--format", "concise", *PATHS)
    assert "fixed " in fixed[1]
    after = Path("update-a.htm").read_bytes()
    assert after != SCRIPTS["update-a.htm"]
    # The same as fixing without any cache.
    monkeypatch.chdir(copy)
    clear_caches()
    assert invoke("--no-cache", "--fix", "--format", "concise", *PATHS) == fixed
    assert Path("update-a.htm").read_bytes() == after
    monkeypatch.chdir(tmp_path)
    clear_caches()
    # The fixed files miss, the others hit, and the output is that of a fresh run.
    expected = invoke("--no-cache", "--format", "concise", *PATHS)
    assert invoke("--cache-dir", "c", "--format", "concise", *PATHS) == expected
    assert invoke("--cache-dir", "c", "--format", "concise", *PATHS) == expected


def count_built(monkeypatch) -> list[int]:
    """How many diagnostics the cache builds back from its stored findings."""
    built = [0]
    real = cache_module.diagnostic_from_data

    def counting(*args):
        built[0] += 1
        return real(*args)

    monkeypatch.setattr(cache_module, "diagnostic_from_data", counting)
    return built


def shown_as(printed_name: str) -> tuple[str, bool]:
    """The format and colour whose file blocks are kept under ``printed_name``."""
    return ("full", True) if printed_name == "full-color" else (printed_name, False)


@pytest.mark.parametrize("format_name", sorted(BLOCK_FORMATS))
def test_a_warm_run_in_a_line_format_builds_no_diagnostic(monkeypatch, format_name):
    def printed() -> str:
        outcome = Session(cache_dir="c").run(list(PATHS), formats=(format_name,))
        name, color = shown_as(format_name)
        return render(name, outcome.results, color=color, fail_levels=outcome.fail_levels)

    cold = printed()
    built = count_built(monkeypatch)
    assert printed() == cold
    assert built[0] == 0
    # Other formats build them (from the stored findings, without linting).
    outcome = Session(cache_dir="c").run(list(PATHS))
    assert all(result.from_cache for result in outcome.results) and built[0] > 0
    assert render("json", outcome.results) == render("json", Session(cache=False).run(list(PATHS)).results)


def test_a_warm_run_loads_no_rule_and_no_parser():
    probe = (
        "import sys\n"
        "from innoscript.cli.lint import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('innoscript.syntax', 'innoscript.lint.rules', "
        "'innoscript.lint.engine', 'lark'))))\n"
    )
    for name in sorted(BLOCK_FORMATS):
        shown, color = shown_as(name)
        args = [sys.executable, "-c", probe, "--cache-dir", f"cache-{name}", "--format", shown,
                "--color", "always" if color else "never", *PATHS]
        first = subprocess.run(args, capture_output=True, text=True)
        assert "innoscript.lint.rules" in first.stdout  # the cold run linted
        second = subprocess.run(args, capture_output=True, text=True)
        report, _, loaded = second.stdout.rpartition("[")
        assert report == first.stdout[: first.stdout.rindex("[")]
        if name == "sarif":
            # The log describes each rule it has results of from the rule's documentation, which
            # its module holds (and the rule modules import the tree's classes); nothing is linted.
            assert "innoscript.lint.rules" in loaded and "engine" not in loaded and "lark" not in loaded, loaded
        else:
            assert loaded == "]\n", (name, second.stdout[-300:])


def test_json_put_together_from_file_blocks_is_json_dumps_of_the_list():
    import json

    from innoscript.lint.report.common import diagnostic_data

    results = Session(cache=False).run(list(PATHS)).results
    assert any(not r.diagnostics for r in results) and any(r.diagnostics for r in results)
    for chosen in (results, [r for r in results if not r.diagnostics], [], results[::-1]):
        data = [diagnostic_data(d) for r in chosen for d in r.diagnostics]
        assert render("json", chosen) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_text_printed_for_an_older_version_of_a_file_is_never_printed():
    for name in ("gcc", "concise"):
        invoke("--cache-dir", "c", "--format", name, *PATHS)
    # A changed file: the concise run lints it again; the gcc text kept for it is now stale.
    Path("update-a.htm").write_bytes(SCRIPTS["update-a.htm"] + b"mod\x01cmd UP1 poll\n")
    for name in ("concise", "gcc", "gcc", "concise"):
        assert invoke("--cache-dir", "c", "--format", name, *PATHS) == invoke("--no-cache", "--format", name, *PATHS)


@pytest.mark.parametrize("format_name", sorted(BLOCK_FORMATS))
def test_a_cold_run_prints_each_file_once_for_the_cache_and_the_report(monkeypatch, format_name):
    """The text a miss is stored with is the text the report prints: no file is printed twice."""
    import importlib

    from innoscript.lint import report

    module_name, function = BLOCK_FORMATS[format_name]
    module = importlib.import_module(f"{report.__name__}.{module_name}")
    real = getattr(module, function)
    calls = [0]

    def counting(*args):
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(module, function, counting)
    outcome = Session(cache_dir="c").run(list(PATHS), formats=(format_name,))
    assert not any(result.from_cache for result in outcome.results)
    name, color = shown_as(format_name)
    text = render(name, outcome.results, color=color, fail_levels=outcome.fail_levels)
    assert calls[0] == len(outcome.results)
    fresh = Session(cache=False).run(list(PATHS))
    assert text == render(name, fresh.results, color=color, fail_levels=fresh.fail_levels)
