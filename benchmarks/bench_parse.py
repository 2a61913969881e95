"""Parser targets: cold `innoscript parse` of a 50-line file, lines/s on a
100,000-line file, peak memory.  Run by hand:

    python benchmarks/bench_parse.py [WORKDIR]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _corpus import bin_path, corpus, median_seconds

MEASURE = r"""
import json, resource, sys, time
from innoscript.source import Source
from innoscript.syntax import parse
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
script = parse(Source.from_bytes(data))
elapsed = time.perf_counter() - start
print(json.dumps({"lines": len(script.lines), "seconds": elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "innoscript-bench"
    one = corpus(work, "one", 1, 50) / "update-ip1200.htm"
    big = corpus(work, "big", 1, 100000) / "update-ip1200.htm"

    python_pass = median_seconds([sys.executable, "-c", "pass"])
    cold = median_seconds([bin_path("innoscript"), "parse", str(one)])
    result = json.loads(subprocess.run([sys.executable, "-c", MEASURE, str(big)], capture_output=True,
                                       text=True, check=True).stdout)
    rate = result["lines"] / result["seconds"]
    print(f"python -c pass                 {python_pass * 1000:7.1f} ms")
    print(f"innoscript parse, 50 lines     {cold * 1000:7.1f} ms   target 45 ms  ratio {cold / 0.045:.2f}")
    print(f"parse 100,000 lines            {rate:9,.0f} lines/s   target 50,000  ratio {rate / 50000:.2f}")
    print(f"peak memory (100,000 lines)    {result['peak_mb']:7.1f} MB   target 300 MB  ratio {result['peak_mb'] / 300:.2f}")


if __name__ == "__main__":
    main()
