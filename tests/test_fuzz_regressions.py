"""Every input the fuzzing harness once failed on keeps all the properties."""

from __future__ import annotations

import os

import pytest

try:
    import fuzzing
except ImportError:  # the tests folder imported as a package
    from . import fuzzing

FOLDER = os.path.join(os.path.dirname(__file__), "regressions", "fuzz")
EXAMPLES = sorted(name for name in os.listdir(FOLDER) if name.endswith(".bin"))


def test_there_are_examples_of_every_fixed_kind():
    for kind in ("meaning-change", "lost-line", "fmt-encoding", "fix-convergence", "divergence"):
        assert any(name.startswith(kind + "-") for name in EXAMPLES), kind


@pytest.mark.parametrize("name", EXAMPLES)
def test_regression_example_keeps_every_property(name):
    with open(os.path.join(FOLDER, name), "rb") as stream:
        data = stream.read()
    assert fuzzing.check(data) == []
