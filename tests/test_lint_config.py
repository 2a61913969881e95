"""Configuration files, overrides, the command line, and where each value came from."""

from __future__ import annotations

import pytest

from innoscript.lint.config import ConfigError, Resolver, clear_caches, resolve, settings_for_path
from innoscript.lint.diagnostic import Severity


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()
    yield
    clear_caches()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path):
    settings, provenance = settings_for_path(str(tmp_path / "update-ip232.htm"))
    assert settings.target_version == "v10"
    assert settings.fail_level == Severity.WARNING
    assert provenance["target-version"] == "default"


def test_pyproject_table_is_read_and_named_as_origin(tmp_path):
    config = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.innolint]\ntarget-version = "v13r3"\n')
    settings, provenance = settings_for_path(str(tmp_path / "sub" / "update-ip232.htm"))
    assert settings.target_version == "v13r3"
    assert provenance["target-version"] == str(config)
    assert provenance["mode"] == "default"


def test_pyproject_without_table_is_skipped_on_the_way_up(tmp_path):
    write(tmp_path / ".innolint.toml", 'target-version = "v9"\n')
    write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "inner"\n')
    settings, _ = settings_for_path(str(tmp_path / "inner" / "update-ip232.htm"))
    assert settings.target_version == "v9"


def test_closest_file_wins_and_dot_file_beats_pyproject(tmp_path):
    write(tmp_path / ".innolint.toml", 'target-version = "v9"\n')
    write(tmp_path / "a" / "pyproject.toml", '[tool.innolint]\ntarget-version = "v11r1"\n')
    write(tmp_path / "a" / ".innolint.toml", 'target-version = "v12r2"\n')
    assert settings_for_path(str(tmp_path / "a" / "update-x.htm"))[0].target_version == "v12r2"
    assert settings_for_path(str(tmp_path / "update-x.htm"))[0].target_version == "v9"


def test_version_and_model_are_normalized(tmp_path):
    write(tmp_path / ".innolint.toml", 'target-version = "13R3"\nmodel = "ip232"\n')
    settings, _ = settings_for_path(str(tmp_path / "update-x.htm"))
    assert (settings.target_version, settings.model) == ("v13r3", "IP232")


def test_overrides_apply_to_matching_paths_only(tmp_path):
    config = write(
        tmp_path / ".innolint.toml",
        'ignore = ["UPD-091"]\n[[overrides]]\npaths = ["legacy/*.htm"]\ntarget-version = "v6"\nfail-level = "error"\n',
    )
    legacy, provenance = settings_for_path(str(tmp_path / "legacy" / "update-ip21.htm"))
    modern, _ = settings_for_path(str(tmp_path / "update-ip21.htm"))
    assert legacy.target_version == "v6" and legacy.fail_level == Severity.ERROR
    assert legacy.ignore == ("UPD-091",)  # the top level still applies
    assert provenance["target-version"] == f"{config} [overrides[1]]"
    assert modern.target_version == "v10" and modern.fail_level == Severity.WARNING


def test_command_line_wins_and_says_so(tmp_path):
    write(tmp_path / ".innolint.toml", 'target-version = "v9"\nseverity = { UPD-091 = "error" }\n')
    settings, provenance = settings_for_path(
        str(tmp_path / "update-x.htm"), {"target-version": "v11r2", "severity": {"UPD-090": "hint"}}
    )
    assert settings.target_version == "v11r2"
    assert provenance["target-version"] == "command line"
    # tables merge per key across layers
    assert settings.severity == {"UPD-091": Severity.ERROR, "UPD-090": Severity.HINT}
    assert "command line" in provenance["severity"] and ".innolint.toml" in provenance["severity"]


def test_extend_select_and_extend_ignore_add_to_the_layer_below(tmp_path):
    write(tmp_path / ".innolint.toml", 'select = ["UPD-090"]\nignore = ["UPD-091"]\n')
    settings, _ = settings_for_path(
        str(tmp_path / "update-x.htm"), {"extend-select": ["UPD-092"], "extend-ignore": "UPD-093"}
    )
    assert settings.select == ("UPD-090", "UPD-092")
    assert settings.ignore == ("UPD-091", "UPD-093")
    replaced, _ = settings_for_path(str(tmp_path / "update-x.htm"), {"select": ["source"]})
    assert replaced.select == ("source",)


def test_url_map_folders_are_relative_to_the_config_file(tmp_path):
    write(tmp_path / "site" / ".innolint.toml", '[url-map]\n"http://10.0.0.5/cfg/" = "payloads"\n')
    settings, _ = settings_for_path(str(tmp_path / "site" / "scripts" / "update-x.htm"))
    assert settings.url_map == (("http://10.0.0.5/cfg/", str(tmp_path / "site" / "payloads")),)


def test_run_level_keys_are_resolved(tmp_path):
    write(tmp_path / ".innolint.toml", 'include = ["*.txt"]\nexclude = ["old"]\nrespect-gitignore = false\ncache-dir = "c"\n')
    resolved = resolve(str(tmp_path / "x.txt"))
    assert resolved.include == ("*.txt",) and resolved.exclude == ("old",)
    assert resolved.respect_gitignore is False
    assert resolved.cache_dir == str(tmp_path / "c")


@pytest.mark.parametrize(
    "text, key",
    [
        ("target-version = ", "not valid TOML"),
        ('colour = "red"\n', "colour"),
        ("require-reason = 3\n", "require-reason"),
        ('select = "UPD-999"\n', "select"),
        ('ignore = ["no-such-rule"]\n', "ignore"),
        ('severity = { UPD-999 = "error" }\n', "severity"),
        ('severity = { UPD-090 = "fatal" }\n', "severity"),
        ('target-version = "v99"\n', "target-version"),
        ('model = "IP9999"\n', "model"),
        ('mode = "payload"\n', "mode"),
        ('fail-level = "loud"\n', "fail-level"),
        ("[[overrides]]\ntarget-version = \"v9\"\n", "overrides[1]"),
        ('[[overrides]]\npaths = ["a"]\ninclude = ["*.x"]\n', "include"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, key):
    config = write(tmp_path / ".innolint.toml", text)
    with pytest.raises(ConfigError) as info:
        settings_for_path(str(tmp_path / "update-x.htm"))
    message = str(info.value)
    assert str(config) in message and key in message


def test_bad_command_line_value_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="command line: target-version"):
        settings_for_path(str(tmp_path / "update-x.htm"), {"target-version": "v99"})


def test_pyproject_key_path_is_named(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.innolint]\nbogus = 1\n")
    with pytest.raises(ConfigError, match=r"tool\.innolint.*bogus"):
        settings_for_path(str(tmp_path / "update-x.htm"))


def test_resolver_memoizes_per_config_and_override(tmp_path):
    write(tmp_path / ".innolint.toml", '[[overrides]]\npaths = ["legacy"]\nmodel = "IP21"\n')
    resolver = Resolver({"fail-level": "hint"})
    a = resolver(str(tmp_path / "update-a.htm"))
    b = resolver(str(tmp_path / "update-b.htm"))
    c = resolver(str(tmp_path / "legacy" / "deep" / "update-c.htm"))
    assert a is b and a is not c
    assert c.settings.model == "IP21" and c.settings.fail_level == Severity.HINT


def test_extend_in_the_same_layer_adds_whatever_the_key_order(tmp_path):
    write(tmp_path / ".innolint.toml", 'extend-select = ["UPD-091"]\nselect = ["UPD-090"]\n')
    assert settings_for_path(str(tmp_path / "update-x.htm"))[0].select == ("UPD-090", "UPD-091")
