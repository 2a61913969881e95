"""The lint package is layered: no import cycle, and validating a
configuration loads no rule."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "innoscript"
LINT = PACKAGE_ROOT / "lint"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every lint module ``path`` imports, at module level or inside a function.

    Imports under `if TYPE_CHECKING:` never run, so they are left out.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            base = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            targets = []
        for target in targets:
            if target in modules:
                found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(LINT.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_lint_package_has_no_import_cycle():
    graph = import_graph()
    assert "innoscript.lint.engine" in graph and graph["innoscript.lint.engine"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_validating_a_configuration_loads_no_rule(tmp_path):
    (tmp_path / ".innolint.toml").write_text(
        'select = ["UPD-02", "times"]\nignore = ["time-alias"]\nseverity = { UPD-025 = "error" }\n', encoding="utf-8"
    )
    loaded = run_python(
        "import sys; import innoscript.lint.config as c; "
        f"c.load_config({str(tmp_path / '.innolint.toml')!r}); c.resolve({str(tmp_path / 'update-x.htm')!r}); "
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('innoscript.'))))"
    ).split()
    assert "innoscript.lint.config" in loaded
    assert not [m for m in loaded if m.startswith("innoscript.lint.rules")], loaded
    assert "innoscript.lint.engine" not in loaded and "innoscript.syntax.parser" not in loaded


def test_a_bad_rule_key_is_still_found_without_the_rules(tmp_path):
    (tmp_path / ".innolint.toml").write_text('ignore = ["UPD-999"]\n', encoding="utf-8")
    out = run_python(
        "import sys; import innoscript.lint.config as c\n"
        f"try:\n    c.load_config({str(tmp_path / '.innolint.toml')!r})\n"
        "except c.ConfigError as exc:\n    print('error:', exc)\n"
        "print(any(m.startswith('innoscript.lint.rules') for m in sys.modules))"
    )
    assert "unknown rule 'UPD-999'" in out
    assert out.strip().endswith("False")
