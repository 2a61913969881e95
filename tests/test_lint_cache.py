"""The content cache: hits return the same findings, any input change misses."""

from __future__ import annotations

import json
import marshal
import os
import zlib

import pytest

from innoscript.lint import Settings
from innoscript.lint.cache import (MAGIC, CachedResult, CachedSource, ResultCache, diagnostic_from_data,
                                   diagnostic_to_data)
from innoscript.lint.pipeline import Job, Linter, lint_data
from innoscript.source import Source
from innoscript.lint.config import clear_caches
from innoscript.lint.report import render, write
from innoscript.lint.result import FileResult

BAD = b"mod\x01cmd UP1 check iresetn 2024-06-01\n# innolint: disable-next-line=UPD-091\nconfig add CMD0 /name Caf\xe9\n"


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clear_caches()
    yield
    clear_caches()


def run(folder, files, **kw):
    cache = ResultCache(str(folder))
    results = Linter(cache, **kw).lint_many(files)
    cache.save()
    return cache, [r for r, _ in results]


def test_second_run_hits_and_gives_identical_findings(tmp_path):
    job = Job("update-ip232.htm", Settings(), BAD)
    cache1, (first,) = run(tmp_path / "c", [job])
    cache2, (second,) = run(tmp_path / "c", [job])
    assert (cache1.hits, cache1.misses) == (0, 1)
    assert (cache2.hits, cache2.misses) == (1, 0)
    assert second.from_cache and not first.from_cache
    assert second.diagnostics == first.diagnostics
    assert {d.code for d in first.diagnostics} >= {"UPD-090"}
    assert second.source.text == first.source.text


@pytest.mark.parametrize(
    "change",
    [
        lambda job: Job(job.path, job.settings, job.data + b"mod cmd UP1 poll\n"),
        lambda job: Job(job.path, job.settings.replace(target_version="v13r3"), job.data),
        lambda job: Job(job.path, job.settings.replace(ignore=("UPD-090",)), job.data),
        lambda job: Job("update-ip21.htm", job.settings, job.data),  # the model comes from the name
    ],
)
def test_any_input_change_misses(tmp_path, change):
    job = Job("update-ip232.htm", Settings(), BAD)
    run(tmp_path / "c", [job])
    cache, _ = run(tmp_path / "c", [change(job)])
    assert cache.misses == 1 and cache.hits == 0


def test_another_fail_level_reads_the_findings_from_the_cache(tmp_path):
    """The fail level decides the exit status only: no rule reads it, so a run with
    another one is a hit, and its status comes from the stored counts."""
    from innoscript.lint.diagnostic import Severity

    job = Job("update-ip232.htm", Settings(), BAD)
    _, (first,) = run(tmp_path / "c", [job])
    strict = Job(job.path, job.settings.replace(fail_level=Severity.INFO), job.data)
    cache, (second,) = run(tmp_path / "c", [strict])
    assert (cache.hits, cache.misses) == (1, 0)
    assert second.diagnostics == first.diagnostics
    assert second.failing_count(Severity.INFO) == len(first.diagnostics) > second.failing_count(Severity.ERROR)


def test_every_setting_but_the_fail_level_is_in_the_findings_key():
    """A setting added later is part of the key unless it is named as not changing findings."""
    from innoscript.lint.config import settings_fingerprint
    from innoscript.lint.diagnostic import Severity

    base = Settings()
    changed = {"target_version": "v13r3", "model": "IP232", "mode": "cfg-payload", "select": ("UPD-001",),
               "ignore": ("UPD-001",), "severity": {"UPD-001": Severity.ERROR}, "require_reason": True,
               "url_map": (("http://x/", "/srv"),), "simulate": True, "fleet": "fleet.toml"}
    assert set(changed) == set(Settings._fields) - {"fail_level"}
    for name, value in changed.items():
        assert settings_fingerprint(base.replace(**{name: value})) != settings_fingerprint(base), name
    assert settings_fingerprint(base.replace(fail_level=Severity.INFO)) == settings_fingerprint(base)


def test_payload_change_invalidates_the_script(tmp_path):
    (tmp_path / "site.txt").write_bytes(b"config change TIME /ntp1 10.0.0.1\n")
    script = b"mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt reset\n"
    job = Job("update-ip232.htm", Settings(), script)
    _, (first,) = run(tmp_path / "c", [job])
    assert [d for d in first.diagnostics if d.code == "UPD-068"] == []
    (tmp_path / "site.txt").write_bytes(b"config change TIME /ntp1 10.0.0.1\nmod\x01cmd UP1 poll\n")
    cache, (second,) = run(tmp_path / "c", [job])
    assert cache.misses == 1
    assert [d.code for d in second.diagnostics if d.code == "UPD-068"] == ["UPD-068"]


def test_damaged_cache_is_ignored_and_replaced(tmp_path):
    folder = tmp_path / "c"
    job = Job("update-ip232.htm", Settings(), BAD)
    cache, _ = run(folder, [job])
    with open(cache.path, "w") as handle:
        handle.write("{not json")
    cache2, (result,) = run(folder, [job])
    assert cache2.misses == 1 and result.diagnostics
    assert open(cache2.path, "rb").read().startswith(MAGIC)
    assert (folder / ".gitignore").read_text().strip().endswith("*")


def _parts(data: bytes) -> dict:
    """The parts of a cache file, decoded (the layout ResultCache documents)."""
    length = int.from_bytes(data[len(MAGIC) + 4 : len(MAGIC) + 8], "big")
    base = len(MAGIC) + 8 + length
    table = marshal.loads(data[len(MAGIC) + 8 : base])
    return {name: marshal.loads(data[base + at : base + at + size]) for name, (at, size, _) in table.items()}


def _sealed(parts: dict) -> bytes:
    """A cache file whose checks all pass: only its values can be wrong."""
    blobs = {name: value if type(value) is bytes else marshal.dumps(value) for name, value in parts.items()}
    table, at = {}, 0
    for name, blob in blobs.items():
        table[name] = (at, len(blob), zlib.crc32(blob))
        at += len(blob)
    table_data = marshal.dumps(table)
    head = MAGIC + zlib.crc32(table_data).to_bytes(4, "big") + len(table_data).to_bytes(4, "big")
    return head + table_data + b"".join(blobs.values())


def _damaged(good: bytes) -> list[bytes]:
    """Ways a cache file can be wrong: cut, flipped, foreign, or of the right shape with wrong values."""
    parts = _parts(good)
    names, entries = parts["index"]
    ((name, (key, deps, tally)),) = entries.items()
    rows = parts["findings"][name]
    row = rows[0]
    flipped = bytearray(good)
    for index in range(len(MAGIC), len(flipped), 7):
        flipped[index] ^= 0x5A
    damaged = [b"", good[: len(good) // 2], good[:-3], MAGIC, MAGIC + b"\xff" * 40, b"x" + good[1:], b"\x00" * 64,
               bytes(flipped), good[:-1] + bytes([good[-1] ^ 1]), _sealed({}), _sealed({"index": b"\xff" * 40}),
               _sealed({**parts, "findings": b"\xff" * 40}), _sealed({**parts, "printed concise": b"\xff" * 40})]

    def with_index(value) -> dict:
        return {**parts, "index": value}

    wrong_parts = [
        with_index([1, 2]), with_index((names, [])), with_index((names, {name: key})),
        with_index((names, {name: (key, "deps", tally)})), with_index((names, {name: (key, deps, (1, 2))})),
        with_index((names, {name: (key, deps, (-1, 0, 0, 0, 0, 0))})),
        with_index((names, {name: (key, ((1, 2, 3),), tally)})), with_index(([], {name: (key, deps, tally)})),
        {**parts, "findings": []}, {**parts, "findings": {name: "rows"}}, {**parts, "findings": {}},
        {**parts, "printed concise": {name: "text"}}, {**parts, "printed concise": {name: (key, 5)}},
        {**parts, "printed concise": []}, {**parts, "printed concise": {name: ("another key", "wrong text\n")}},
    ]
    wrong_rows = [
        row[:3],  # too short
        (row[0], 99, *row[2:]),  # unknown severity
        (row[0], row[1], row[2], (1, 2), *row[4:]),  # a span of the wrong size
        (*row[:4], ("m", True, ((("x",), "t"),)), *row[5:]),  # a fix with a bad edit
        (*row[:5], ((1, "m", None),), row[6]),  # related information without a span
        (None, *row[1:]),  # no code
    ]
    wrong_parts += [{**parts, "findings": {name: (bad, *rows[1:])}} for bad in wrong_rows]
    return damaged + [_sealed(value) for value in wrong_parts]


def test_every_kind_of_damaged_cache_is_a_miss_never_an_error(tmp_path):
    folder = tmp_path / "c"
    job = Job("update-ip232.htm", Settings(), BAD)
    cache, (fresh,) = run(folder, [job], formats=("concise",))
    good = open(cache.path, "rb").read()
    assert good.startswith(MAGIC) and set(_parts(good)) == {"index", "findings", "printed concise"}
    printed = render("concise", [fresh])
    for damaged in _damaged(good):
        with open(cache.path, "wb") as handle:
            handle.write(damaged)
        # Printed from the diagnostics (no format given): they are built before the cache is saved.
        again, (result,) = run(folder, [job])
        assert result.diagnostics == fresh.diagnostics, damaged[:80]
        assert again.misses + again.hits == 1
        # The run wrote a good cache back: the next run hits, and prints the same.
        hit, (cached,) = run(folder, [job], formats=("concise",))
        assert (hit.hits, hit.misses) == (1, 0) and cached.diagnostics == fresh.diagnostics
        assert render("concise", [cached]) == printed
        assert set(_parts(open(cache.path, "rb").read())) == {"index", "findings", "printed concise"}


def test_damaged_printed_text_is_printed_again_from_the_findings(tmp_path):
    folder = tmp_path / "c"
    job = Job("update-ip232.htm", Settings(), BAD)
    cache, (fresh,) = run(folder, [job], formats=("gcc",))
    good = open(cache.path, "rb").read()
    parts = _parts(good)
    for wrong in ({}, {next(iter(parts["printed gcc"])): "not a pair"}, b"\xff" * 9):
        with open(cache.path, "wb") as handle:
            handle.write(_sealed({**parts, "printed gcc": wrong}))
        again, (result,) = run(folder, [job], formats=("gcc",))
        assert again.hits == 1 and render("gcc", [result]) == render("gcc", [fresh])
        assert _parts(open(cache.path, "rb").read())["printed gcc"] == parts["printed gcc"]  # and kept again


def test_unwritable_cache_folder_is_not_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    cache = ResultCache(str(tmp_path / "file" / "cache"))
    Linter(cache).lint_many([Job("update-ip232.htm", Settings(), BAD)])
    cache.save()  # must not raise
    assert not os.path.exists(tmp_path / "file" / "cache")


def test_diagnostics_round_trip_through_plain_tuples():
    _, diagnostics, _ = lint_data(BAD + b"# innolint: disable-next-line=UPD-090\nmod cmd UP1 poll\n", "update-x.htm", Settings())
    assert any(d.fix for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    again = [diagnostic_from_data(marshal.loads(marshal.dumps(diagnostic_to_data(d))), d.path, names) for d in diagnostics]
    assert again == diagnostics


def test_cached_source_builds_itself_on_first_use():
    data = "mod cmd UP1 poll\r\n# caf\xe9\r\n".encode("latin-1")
    lazy, real = CachedSource(data, "update-x.htm"), Source.from_bytes(data, "update-x.htm")
    assert lazy.path == "update-x.htm" and "text" not in vars(lazy)
    assert lazy.lines == real.lines and lazy.encoding == "latin-1" and lazy.newline == "\r\n"
    assert lazy.problems == real.problems and lazy.span(0, 3) == real.span(0, 3)


POOL_JOBS = [Job(f"update-ip232-{i}.htm", Settings(), BAD + b"mod cmd UP1 times /allow 1 /initial %d\n" % i
                 + b"mod cmd UP0 prot http://10.0.0.5/fw/ ireboot 13-500%d\n" % i) for i in range(6)]


def test_process_pool_gives_the_same_results(tmp_path):
    serial = [r.diagnostics for r, _ in Linter(None, jobs=1).lint_many(POOL_JOBS)]
    pooled = [r.diagnostics for r, _ in Linter(None, jobs=2).lint_many(POOL_JOBS)]
    assert pooled == serial and all(serial)


def test_a_pool_prints_and_caches_what_one_process_does(tmp_path):
    """The workers send back plain rows and printed text; the report and the cache are the same."""
    formats = ("concise", "json", "full", "full-color", "sarif", "junit")
    serial_cache, serial = run(tmp_path / "one", POOL_JOBS, jobs=1, formats=formats)
    pooled_cache, pooled = run(tmp_path / "pool", POOL_JOBS, jobs=2, formats=formats)
    for name in formats:
        assert [r.printed(name) for r in pooled] == [r.printed(name) for r in serial]
    for name, color in (("concise", False), ("json", False), ("full", False), ("full", True), ("sarif", False),
                        ("junit", False)):
        assert render(name, pooled, color=color) == render(name, serial, color=color)
    assert [r.tally() for r in pooled] == [r.tally() for r in serial]
    # Printed from the workers' text: no Diagnostic was made for the report.
    assert all(r._diagnostics is None for r in pooled)
    assert render("gcc", pooled) == render("gcc", serial)  # a format not printed by the workers builds them
    assert [r.diagnostics for r in pooled] == [r.diagnostics for r in serial]
    assert pooled_cache.names == serial_cache.names
    for job in POOL_JOBS:
        absolute = os.path.abspath(job.path)
        assert pooled_cache.entries[absolute] == serial_cache.entries[absolute]
    # A second run answers every file from the pool's cache, with the same report.
    again_cache, again = run(tmp_path / "pool", POOL_JOBS, jobs=2, formats=formats)
    assert again_cache.hits == len(POOL_JOBS) and all(r.from_cache for r in again)
    assert render("json", again) == render("json", serial)


@pytest.mark.parametrize("cores, files, workers", [(1, 2000, 1), (2, 399, 1), (2, 400, 2), (16, 2000, 8)])
def test_a_pool_starts_from_two_cores_and_400_files(monkeypatch, cores, files, workers):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert Linter(None)._workers(files) == workers


def test_a_cache_hit_loads_neither_parser_nor_rules(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "update-ip232.htm"
    script.write_text("mod cmd UP1 times /allow 23,0,1 /initial 6\nconfig write\n")
    probe = (
        "import sys\n"
        "from innoscript.cli.lint import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('innoscript.syntax', 'innoscript.lint.rules'))))\n"
    )
    args = [sys.executable, "-c", probe, "--cache-dir", str(tmp_path / "cache"), "--format", "concise", str(script)]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert "innoscript.syntax" in first.stdout  # the miss parsed and linted
    second = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert second.stdout.strip().endswith("[]"), second.stdout


def test_a_payload_many_scripts_load_is_hashed_once_per_run(tmp_path, monkeypatch):
    import innoscript.lint.cache as cache_module

    (tmp_path / "site.txt").write_bytes(b"config change TIME /ntp1 10.0.0.1\n")
    script = b"mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt reset\n"
    jobs = [Job(f"update-ip232-{i}.htm", Settings(), script + b"# %d\n" % i) for i in range(3)]
    run(tmp_path / "c", jobs)
    hashed = []
    real = cache_module.file_hash
    monkeypatch.setattr(cache_module, "file_hash", lambda path: hashed.append(path) or real(path))
    cache, results = run(tmp_path / "c", jobs)
    assert cache.hits == 3 and all(result.from_cache for result in results)
    assert len(hashed) == 1 and hashed[0].endswith("site.txt")


def test_the_fingerprint_covers_every_module_a_lint_run_loads(tmp_path):
    """A change to any of them may change what is found or printed, so it must empty the cache."""
    import subprocess
    import sys

    from innoscript.lint.cache import LINTER_FILES, LINTER_FOLDERS

    (tmp_path / "update-ip232.htm").write_text("mod cmd UP1 times /allow 22,23 /initial 6\nmod\x01cmd UP1 check x\n")
    probe = ("import sys, innoscript\nfrom innoscript.cli.lint import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print(*sorted(m.__file__ for n, m in sys.modules.items() if n.startswith('innoscript.')), file=sys.stderr)")
    package = os.path.dirname(os.path.abspath(__import__("innoscript").__file__))
    loaded: set[str] = set()
    for name in ("concise", "json", "sarif", "full", "junit"):
        run = subprocess.run([sys.executable, "-c", probe, "--no-cache", "--format", name, "update-ip232.htm"],
                             capture_output=True, text=True, cwd=tmp_path)
        loaded |= {os.path.relpath(path, package).replace(os.sep, "/") for path in run.stderr.split()}
    assert "lint/engine.py" in loaded and "jsontext.py" in loaded
    faces = ("cli/", "__init__.py")  # the command line reads options; it finds nothing
    covered = {path for path in loaded
               if path in LINTER_FILES or os.path.dirname(path) in LINTER_FOLDERS or path.startswith(faces)}
    assert loaded - covered == set()


def test_files_a_broken_pool_did_not_answer_are_linted_in_the_process(tmp_path):
    """Workers that cannot start (here: the main program came from standard input, which a
    fresh worker cannot import) leave their files to the main process: every file is answered."""
    import subprocess
    import sys

    program = ("from innoscript.lint.pipeline import Job, Linter\n"
               "from innoscript.lint import Settings\n"
               "jobs = [Job(f'update-ip232-{i}.htm', Settings(), b'mod\\x01cmd UP1 check x\\n') for i in range(4)]\n"
               "results = Linter(None, jobs=2).lint_many(jobs)\n"
               "print(sorted({d.code for r, _ in results for d in r.diagnostics}), len(results))\n")
    run = subprocess.run([sys.executable, "-"], input=program, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "<stdin>" in run.stderr  # the workers did fail to start
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['UPD-090'] 4"
    assert "BrokenProcessPool" not in run.stderr


def test_a_warm_run_prints_the_full_format_from_the_cache(tmp_path):
    """The terminal's format, plain or in colour, is kept printed per file as the others are."""
    fresh = [FileResult(j.path, Source.from_bytes(j.data, j.path), tuple(lint_data(j.data, j.path, j.settings)[1]))
             for j in POOL_JOBS]
    for name, color in (("full", False), ("full-color", True)):
        run(tmp_path / name, POOL_JOBS, jobs=1, formats=(name,))
        cache, warm = run(tmp_path / name, POOL_JOBS, jobs=1, formats=(name,))
        assert cache.hits == len(POOL_JOBS)
        assert render("full", warm, color=color) == render("full", fresh, color=color)
        assert all(r._diagnostics is None for r in warm)  # printed from the stored text


def fresh_results(jobs) -> list[FileResult]:
    return [FileResult(j.path, Source.from_bytes(j.data, j.path), tuple(lint_data(j.data, j.path, j.settings)[1]))
            for j in jobs]


def test_a_warm_run_prints_sarif_from_the_cache(tmp_path):
    """Each file's results are kept printed; the rule list and indexes are made from the codes kept with them."""
    fresh = render("sarif", fresh_results(POOL_JOBS))
    cold_cache, cold = run(tmp_path / "c", POOL_JOBS, jobs=1, formats=("sarif",))
    assert render("sarif", cold) == fresh
    cache, warm = run(tmp_path / "c", POOL_JOBS, jobs=1, formats=("sarif",))
    assert cache.hits == len(POOL_JOBS)
    assert render("sarif", warm) == fresh
    assert all(r._diagnostics is None for r in warm)  # printed from the stored text


def test_a_warm_run_prints_junit_from_the_cache(tmp_path):
    """Each file's failures are kept printed; the counts at the top and the clean files' cases
    come from the stored tallies."""
    jobs = [*POOL_JOBS, Job("update-ip232-clean.htm", Settings(), b"")]
    fresh = render("junit", fresh_results(jobs))
    assert 'name="update-ip232-clean.htm" />' in fresh
    run(tmp_path / "c", jobs, jobs=1, formats=("junit",))
    cache, warm = run(tmp_path / "c", jobs, jobs=1, formats=("junit",))
    assert cache.hits == len(jobs)
    assert render("junit", warm) == fresh
    assert all(r._diagnostics is None for r in warm)  # printed from the stored text


def test_a_file_printed_longer_than_the_cache_keeps_is_printed_from_its_findings(tmp_path, monkeypatch):
    """A text over the limit is not kept (a run writing the cache would hold it twice more):
    the next run prints that file from its stored findings, the others from their kept text."""
    from innoscript.lint import cache as cache_module

    jobs = [Job("update-ip232-long.htm", Settings(), BAD * 3), Job("update-ip232-short.htm", Settings(), BAD)]
    formats = ("json", "concise")
    monkeypatch.setattr(cache_module, "MOST_KEPT_TEXT", len(render("json", fresh_results(jobs[1:]))) + 16)
    run(tmp_path / "c", jobs, jobs=1, formats=formats)
    cache, warm = run(tmp_path / "c", jobs, jobs=1, formats=formats)
    assert cache.hits == 2
    long, short = warm
    assert long.printed("json") is None and short.printed("json") is not None
    assert long.printed("concise") is not None  # shorter in this format: kept
    for name in formats:
        assert render(name, warm) == render(name, fresh_results(jobs))


def test_sarif_rule_indexes_follow_the_codes_of_the_whole_run(tmp_path):
    """A new file's code sorts before the cached files' codes: every kept index moves up by one."""
    cached = [Job(f"update-ip232-{i}.htm", Settings(), BAD) for i in range(2)]
    run(tmp_path / "c", cached, formats=("sarif",))
    new = Job("update-ip232-new.htm", Settings(), b"mod cmd UP1 Check iresetn 2024-06-01\n")  # UPD-001
    jobs = [cached[0], new, cached[1]]
    cache, results = run(tmp_path / "c", jobs, formats=("sarif",))
    assert [r.from_cache for r in results] == [True, False, True]
    text = render("sarif", results)
    assert text == render("sarif", fresh_results(jobs))
    log = json.loads(text)
    rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert rules[0] == "UPD-001" and "UPD-090" in rules
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    # Alone again, the cached files' indexes are as before.
    assert render("sarif", run(tmp_path / "c", cached, formats=("sarif",))[1]) == render("sarif", fresh_results(cached))


def test_sarif_uris_of_a_warm_run_are_those_of_its_working_folder(tmp_path, monkeypatch):
    """The same file under the same name (an absolute one) from another folder: another URI."""
    (tmp_path / "site").mkdir()
    (tmp_path / "elsewhere").mkdir()
    job = Job(str(tmp_path / "site" / "update-ip232.htm"), Settings(), BAD)
    monkeypatch.chdir(tmp_path)
    _, cold = run(tmp_path / "c", [job], formats=("sarif",))
    assert '"uri": "site/update-ip232.htm"' in render("sarif", cold)
    for folder, uri in (("site", "update-ip232.htm"), ("elsewhere", (tmp_path / "site" / "update-ip232.htm").as_uri())):
        monkeypatch.chdir(tmp_path / folder)
        cache, warm = run(tmp_path / "c", [job], formats=("sarif",))
        assert cache.hits == 1
        text = render("sarif", warm)
        assert text == render("sarif", fresh_results([job]))
        assert {item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for item in json.loads(text)["runs"][0]["results"]} == {uri}


def test_sarif_of_a_file_with_very_many_findings_is_printed_from_them(tmp_path, monkeypatch):
    """Its results kept as one text would be held whole; the log is made a result at a time instead."""
    from innoscript.lint.report import sarif

    jobs = [Job("update-ip232-few.htm", Settings(), BAD), Job("update-ip232-many.htm", Settings(), BAD * 3)]
    monkeypatch.setattr(sarif, "MOST_KEPT", len(lint_data(BAD, "update-ip232-few.htm", Settings())[1]))
    cache, cold = run(tmp_path / "c", jobs, formats=("sarif",))
    assert [r.printed("sarif") is None for r in cold] == [False, True]
    assert set(cache._printed_part("sarif")) == {os.path.abspath("update-ip232-few.htm")}
    cache, warm = run(tmp_path / "c", jobs, formats=("sarif",))
    assert render("sarif", warm) == render("sarif", fresh_results(jobs))
    pieces: list[str] = []
    write("sarif", warm, pieces.append)
    assert sum(piece.count('"ruleId"') == 1 for piece in pieces) == len(warm[1].diagnostics)  # one at a time


def test_damaged_sarif_text_is_printed_from_the_findings(tmp_path):
    folder = tmp_path / "c"
    job = Job("update-ip232.htm", Settings(), BAD)
    cache, (fresh,) = run(folder, [job], formats=("sarif",))
    parts = _parts(open(cache.path, "rb").read())
    ((name, (key, kept)),) = parts["printed sarif"].items()
    assert type(kept) is bytes and kept.count(b"\x00") >= 1
    header = kept[: kept.index(b"\x00")]
    body = kept[len(header) :]
    for wrong in ("text, not bytes", b"no header", header[:-1] + b"9" + body, header.replace(b"\x1f", b"") + body,
                  header + b"\x00not zlib", b"UPD-999\x1fother\x1f4\x00not zlib"):
        with open(cache.path, "wb") as handle:
            handle.write(_sealed({**parts, "printed sarif": {name: (key, wrong)}}))
        again, (result,) = run(folder, [job], formats=("sarif",))
        if b"UPD-999" not in (wrong if type(wrong) is bytes else b""):
            assert again.hits == 1 and render("sarif", [result]) == render("sarif", [fresh])
            continue
        # A block naming other codes than its file's findings: the log still holds every finding, and a
        # result whose rule the list lacks names it by id alone.
        log = json.loads(render("sarif", [result]))
        ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
        got = log["runs"][0]["results"]
        assert ids == ["UPD-999"] and len(got) == len(fresh.diagnostics)
        assert all("ruleIndex" not in item and item["ruleId"] != "UPD-999" for item in got)
