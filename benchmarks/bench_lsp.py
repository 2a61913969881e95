"""Language-server targets: diagnostics after a one-line edit in a 2,000-line
document (<= 20 ms of server time), and server start to `initialized`.
Run by hand:

    python benchmarks/bench_lsp.py [WORKDIR]

"Server time" is measured in the server process: taking the edit
(incremental re-parse), linting, converting the diagnostics and encoding the
notification.  It excludes the debounce wait and the client's own decoding.
Each phase is printed separately, so a slow phase is easy to find.
"""

from __future__ import annotations

import json
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


def in_process(path: Path) -> None:
    from lsprotocol import types as lsp
    from pygls.protocol import default_converter

    from innoscript.lsp.document import Document
    from innoscript.lsp.server import InnoServer
    from innoscript.source import Source
    from innoscript.syntax import parse

    text = path.read_text(encoding="utf-8")
    server = InnoServer()
    converter = default_converter()
    doc = Document(path.as_uri(), str(path), text)
    server.lsp_diagnostics(doc, server.lint(doc))  # warm: rules imported, configuration read
    rnd = random.Random(1)
    lines = text.split("\n")
    phases: dict[str, list[float]] = {"full parse (for comparison)": [], "update (incremental parse)": [],
                                      "lint": [], "convert": [], "encode": [], "total server time": []}
    reparsed = []
    for _ in range(EDITS):
        row = rnd.randrange(len(lines) - 1)
        lines[row] = lines[row] + " x"  # one character-range edit in one line
        new_text = "\n".join(lines)
        t0 = time.perf_counter()
        doc.update(new_text)
        t1 = time.perf_counter()
        diagnostics = server.lint(doc)
        t2 = time.perf_counter()
        items = server.lsp_diagnostics(doc, diagnostics)
        t3 = time.perf_counter()
        json.dumps(converter.unstructure(lsp.PublishDiagnosticsParams(doc.uri, items, 1)))
        t4 = time.perf_counter()
        parse(Source(new_text, str(path)))
        t5 = time.perf_counter()
        reparsed.append(doc.reparsed)
        for name, value in zip(phases, (t5 - t4, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
            phases[name].append(value)
    print(f"document: {len(lines)} lines, {len(diagnostics)} diagnostics, {EDITS} one-line edits "
          f"(lines parsed per edit: {max(reparsed)})")
    for name, samples in phases.items():
        print(f"  {name:30s} {_ms(samples)}")


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


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "innoscript-bench"
    path = corpus(work, "lsp", 1, 2000) / "update-ip1200.htm"
    in_process(path)
    startup()


if __name__ == "__main__":
    main()
