"""Language-server targets: diagnostics after a one-line edit in a 2,000-line
document (<= 20 ms of server time), an edit's cost not growing with the
document (2,000 lines within 3x of 20 lines), and server start to
`initialized`.  Run by hand:

    python benchmarks/bench_lsp.py [WORKDIR]

"Server time" is measured in the server process, through the server's own
code path: applying the edit to the editor's text, the incremental parse,
the incremental lint (line rules on the changed line, script rules in full),
encoding the diagnostics (reused for unchanged lines) and building the
notification's bytes (framed, as the server writes them).  It excludes the debounce wait, the thread hand-offs
and the client's own decoding.  Each phase is printed separately.  A last
run types line breaks instead of characters (not a target: every line
below the edit then moves, and its diagnostics get new line numbers).
The cross-line rules are also timed alone on a new version of the large
document: what an edit costs at least while they run in full.  Last, a full
collection of the garbage collector in the server, before and after the
start is settled (gcpause.settle): a pause that can fall inside an edit.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _corpus import corpus

EDITS = 40


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.2f} ms   max {max(samples) * 1000:7.2f} ms"


def edit_cost(path: Path, lines_wanted: int, label: str, enter: bool = False) -> float:
    """Median server time of a one-character edit in a document of ``lines_wanted`` lines.

    ``enter``: the character is a line break (a new line below the line), so
    every line after it moves down one.
    """
    from innoscript.lsp.analysis import Job, OpenDocument, parse_job
    from innoscript.lsp.encode import publish_message
    from innoscript.lsp.server import InnoServer, _uri
    from innoscript.lint.session import lint_document

    lines = path.read_bytes().decode("utf-8").split("\r\n")[:lines_wanted]
    text = "\r\n".join(lines) + "\r\n"
    server = InnoServer()
    loop = asyncio.new_event_loop()
    doc = OpenDocument(path.as_uri(), str(path), text, 1)

    def analyse() -> tuple[float, float, float, float, list]:
        job = Job(doc, "utf-16", loop)
        t0 = time.perf_counter()
        parsed = parse_job(doc, job)
        t1 = time.perf_counter()
        settings, _ = server.resolver.settings_for(doc.path)
        diagnostics = lint_document(parsed.script, settings, doc.linter)
        t2 = time.perf_counter()
        items = doc.encoder.encode(diagnostics, parsed.mapper(), doc.uri, server.rule_url, _uri)
        t3 = time.perf_counter()
        body = publish_message(doc.uri, job.version, items)
        t4 = time.perf_counter()
        assert body
        return t1 - t0, t2 - t1, t3 - t2, t4 - t3, diagnostics

    analyse()  # warm: rules imported, configuration read, every line linted once
    rnd = random.Random(1)
    phases: dict[str, list[float]] = {"apply the edit": [], "parse (incremental)": [], "lint (incremental)": [],
                                      "encode diagnostics": [], "notification bytes": [], "total server time": []}
    for version in range(2, EDITS + 2):
        row = rnd.randrange(len(lines) - 1)
        t0 = time.perf_counter()
        doc.buffer.apply((row, len(lines[row])), (row, len(lines[row])), "\r\n" if enter else "x")
        doc.version = version
        doc.edited()
        t1 = time.perf_counter()
        if enter:
            lines.insert(row + 1, "")
        else:
            lines[row] += "x"
        parse_s, lint_s, encode_s, bytes_s, diagnostics = analyse()
        for name, value in zip(phases, (t1 - t0, parse_s, lint_s, encode_s, bytes_s,
                                        t1 - t0 + parse_s + lint_s + encode_s + bytes_s)):
            phases[name].append(value)
    loop.close()
    print(f"{label}: {len(lines)} lines, {len(diagnostics)} diagnostics, {EDITS} {'line breaks' if enter else 'one-character edits'} "
          f"(lines linted again per edit: {doc.linter.computed}, diagnostics encoded again: {doc.encoder.encoded})")
    for name, samples in phases.items():
        print(f"  {name:30s} {_ms(samples)}")
    return statistics.median(phases["total server time"])


STARTUP = r"""
import json, subprocess, sys, time

def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body

def read(stream):
    length = 0
    while True:
        line = stream.readline().strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))

start = time.perf_counter()
proc = subprocess.Popen([sys.executable, "-m", "innoscript", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
proc.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                        "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
proc.stdin.flush()
while "result" not in read(proc.stdout):
    pass
proc.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
proc.stdin.flush()
elapsed = time.perf_counter() - start
proc.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
proc.stdin.close()
proc.wait()
print(elapsed)
"""


def startup(runs: int = 7) -> None:
    samples = [float(subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True).stdout)
               for _ in range(runs)]
    print(f"server start to `initialized` ({runs} runs)  {_ms(samples)}")


def cross_line_rules(path: Path, lines_wanted: int) -> float:
    """Median time of the script rules (the cross-line ones) alone, run in full on a new
    version of the document, as each edit runs them; with their findings made diagnostics.

    Not a phase of the server: the floor under the edit's cost while these
    rules run in full after every edit.
    """
    from innoscript.lint import engine
    from innoscript.lint.context import LintContext
    from innoscript.lint.settings import Settings
    from innoscript.source import Source
    from innoscript.syntax import parse

    text = "\r\n".join(path.read_bytes().decode("utf-8").split("\r\n")[:lines_wanted]) + "\r\n"
    settings = Settings()
    rules = engine.active_rules(settings)
    script_rules = [rule for rule in rules if rule.stage == "script"]
    samples = []
    for _ in range(EDITS):
        script = parse(Source(text, str(path)))  # a new version: nothing it derives is computed yet
        ctx = LintContext(script, settings)
        ctx.active_rules = {rule.code: rule for rule in rules}
        found: list = []
        start = time.perf_counter()
        for rule in script_rules:
            engine._collect(ctx, rule, found)
        samples.append(time.perf_counter() - start)
    print(f"the {len(script_rules)} cross-line rules alone, {lines_wanted} lines: {_ms(samples)} ({len(found)} findings)")
    return statistics.median(samples)


def collection_pause(path: Path) -> None:
    """A full collection in the server with the large document open, with the start
    settled as `innoscript lsp` settles it (``gcpause.settle``) and without."""
    import gc

    from innoscript.gcpause import settle
    from innoscript.lint.session import lint_document
    from innoscript.lsp.server import create_server
    from innoscript.source import Source
    from innoscript.syntax import parse

    server = create_server()
    began = time.perf_counter()
    settle()
    settled = time.perf_counter() - began
    script = parse(Source(path.read_bytes().decode("utf-8"), str(path)))
    diagnostics = lint_document(script, server.resolver.settings_for(str(path))[0])

    def pause() -> list[float]:
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            gc.collect()
            samples.append(time.perf_counter() - start)
        return samples

    after = pause()
    gc.unfreeze()  # as the server ran before: every object it made looked at by each full collection
    before = pause()
    assert diagnostics
    print(f"a full collection with the 2,000-line document open: {_ms(before)}; with the start settled {_ms(after)} "
          f"(settling: {settled * 1000:.1f} ms, once)")


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "innoscript-bench"
    path = corpus(work, "lsp", 1, 2000) / "update-ip1200.htm"
    big = edit_cost(path, 2000, "large document")
    small = edit_cost(path, 20, "small document")
    print(f"one-line edit to publishDiagnostics, 2,000 lines: {big * 1000:.2f} ms (target 20 ms, ratio {big / 0.020:.2f}); "
          f"2,000 lines / 20 lines: {big / small:.2f}x (target <= 3x)")
    rules = cross_line_rules(path, 2000)
    print(f"  the cross-line rules alone, run in full on 2,000 lines, are {rules / small:.2f}x the 20-line edit")
    edit_cost(path, 2000, "large document, a new line typed (the lines below move)", enter=True)
    startup()
    collection_pause(path)


if __name__ == "__main__":
    main()
