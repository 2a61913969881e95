"""Every speed target, each as a ratio against its peer or floor in one run.

    python benchmarks/bench_peers.py [WORK_DIR] [--skip-fleet]

The peers are installed by this script's own setup: shellcheck from the
system's package manager (`apt-get install shellcheck`, when it is not on
PATH already) and yamllint (and ruff, optional) from PyPI into a virtual
environment under WORK_DIR.  A peer that cannot be installed is skipped with
a message; its rows then give absolute times only.

Ratios, not absolute times, are what to compare across runs: on a shared,
loaded machine every process slows down alike, so a ratio measured in one
run stays meaningful.  Byte-code caching is on for every process started
here (PYTHONDONTWRITEBYTECODE is removed), as in users' Pythons.

Rows (targets from the speed plan):
- cold `innolint`, one 50-line script, no cache: <= 1.5x shellcheck on a 50-line shell script
- one 100,000-line script: >= 50,000 lines/s, <= 300 MB (yamllint on 100,000 YAML lines for scale),
  in the default format and (for the memory) in each other output format
- 2,000 scripts x 50 lines, cold cache: <= 9x the Python floor (read and split every file)
- the same, warm cache: <= 0.3 s (and as a ratio to the floor)
- language server, one-line edit in 2,000 lines: <= 20 ms, and <= 3x a 20-line document
- fleet, 100,000 devices x 30 days: <= 10 s
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import bin_path, corpus  # noqa: E402
from bench_lint import FLOOR  # noqa: E402  (the Python floor: read and split every file)
from bench_start import SHELL_SCRIPT  # noqa: E402

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

YAML_ITEM = "- name: phone-{i}\n  ip: 10.0.{a}.{b}\n  model: IP1200\n  groups: [night, window]\n"


def run(cmd: list[str], **kwargs) -> tuple[float, float]:
    """(seconds, peak MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def median(cmd: list[str], runs: int = 9, **kwargs) -> float:
    return statistics.median(run(cmd, **kwargs)[0] for _ in range(runs))


def shellcheck() -> str | None:
    found = shutil.which("shellcheck")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "shellcheck"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    found = shutil.which("shellcheck")
    if not found:
        print("shellcheck: not installed and `apt-get install shellcheck` was not possible; its rows are skipped")
    return found


def python_tools(work: Path) -> dict[str, str]:
    """yamllint (and ruff when it installs) in a virtual environment of their own."""
    venv = work / "peers-venv"
    tools: dict[str, str] = {}
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=False)
    for package in ("yamllint", "ruff"):
        exe = venv / "bin" / package
        if not exe.exists():
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", package],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if exe.exists():
            tools[package] = str(exe)
        else:
            print(f"{package}: could not be installed from PyPI; its rows are skipped")
    return tools


def ratio(mine: float, peer: float | None) -> str:
    return f"{mine / peer:5.2f}x" if peer else "  n/a"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    work = Path(args[0]) if args else Path(tempfile.gettempdir()) / "innoscript-bench-peers"
    work.mkdir(parents=True, exist_ok=True)
    innolint = bin_path("innolint")
    sc = shellcheck()
    tools = python_tools(work)
    one = next(p for p in sorted(corpus(work, "one", 1, 50).rglob("*.htm")))
    many = corpus(work, "many", 2000, 50)
    big = next(p for p in sorted(corpus(work, "big", 1, 100000).rglob("*.htm")))
    shell = work / "one.sh"
    shell.write_text(SHELL_SCRIPT)
    yaml_one = work / "one.yaml"
    yaml_one.write_text("---\n" + "".join(YAML_ITEM.format(i=i, a=i % 250, b=i % 200) for i in range(12)))
    yaml_big = work / "big.yaml"
    yaml_big.write_text("---\n" + "".join(YAML_ITEM.format(i=i, a=i % 250, b=i % 200) for i in range(25000)))

    print("row                                   innolint      peer / floor       ratio   target")
    # From the work folder: no configuration file of this checkout is read.
    cold = median([innolint, "--no-cache", str(one)], cwd=work)
    peer = median([sc, str(shell)], cwd=work) if sc else None
    print(f"cold start, 50 lines                  {cold * 1000:7.0f} ms   shellcheck {peer * 1000 if peer else 0:7.0f} ms"
          f"   {ratio(cold, peer)}   <= 1.5x")
    if "yamllint" in tools:
        yl = median([tools["yamllint"], str(yaml_one)])
        print(f"                                                   yamllint   {yl * 1000:7.0f} ms   {ratio(cold, yl)}")
    if "ruff" in tools:
        py = work / "one.py"
        py.write_text("".join(f"value_{i} = {i}\n" for i in range(50)))
        rf = median([tools["ruff"], "check", "--no-cache", "--isolated", str(py)])
        print(f"                                                   ruff       {rf * 1000:7.0f} ms   {ratio(cold, rf)}")

    seconds, peak = run([innolint, "--no-cache", str(big)])
    lines = 100_000
    yl_big = run([tools["yamllint"], str(yaml_big)])[0] if "yamllint" in tools else None
    print(f"100,000-line script                   {seconds:7.2f} s    yamllint {yl_big or 0:7.2f} s     {ratio(seconds, yl_big)}"
          f"   {lines / seconds:,.0f} lines/s (>= 50,000), peak {peak:.0f} MB (<= 300)")
    # The row holds in the format a user picks: the data formats print about 100,000 findings.
    for name in ("full", "gcc", "github", "json", "json-lines", "junit", "sarif"):
        taken, most = run([innolint, "--no-cache", "--format", name, str(big)])
        print(f"  --format {name:<12}                {taken:7.2f} s    concise  {seconds:7.2f} s     {ratio(taken, seconds)}"
              f"   {lines / taken:,.0f} lines/s, peak {most:.0f} MB")

    floor = statistics.median(run([sys.executable, "-c", FLOOR, str(many)])[0] for _ in range(3))
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold_many = run([innolint, "--cache-dir", str(cache), str(many)])[0]
    warm = min(run([innolint, "--cache-dir", str(cache), str(many)])[0] for _ in range(3))
    print(f"2,000 x 50 lines, cold cache          {cold_many:7.2f} s    floor    {floor:7.2f} s     {ratio(cold_many, floor)}   <= 9x")
    print(f"2,000 x 50 lines, warm cache          {warm:7.2f} s    floor    {floor:7.2f} s     {ratio(warm, floor)}   <= 0.3 s")

    import bench_lsp

    lsp_doc = corpus(work, "lsp", 1, 2000) / "update-ip1200.htm"
    large = bench_lsp.edit_cost(lsp_doc, 2000, "  (detail) 2,000 lines")
    small = bench_lsp.edit_cost(lsp_doc, 20, "  (detail) 20 lines")
    print(f"LSP one-line edit, 2,000 lines        {large * 1000:7.2f} ms   20 lines {small * 1000:7.2f} ms   "
          f"{ratio(large, small)}   <= 20 ms and <= 3x")

    if "--skip-fleet" not in sys.argv:
        import bench_fleet

        root = bench_fleet.site(work)
        result = bench_fleet.measure(work, root, 100_000)
        print(f"fleet, 100,000 devices x 30 days      {result['seconds']:7.2f} s    target   {10:7.2f} s     "
              f"{ratio(result['seconds'], 10)}   <= 1.0x of the target")


if __name__ == "__main__":
    main()
