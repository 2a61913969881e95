"""`innolint --simulate --fleet`: fleet findings in the linter."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from innoscript.cli.lint import lint_command

FLEET = Path(__file__).resolve().parent.parent / "examples" / "fleet-small.toml"


def lint(*args):
    return CliRunner().invoke(lint_command, ["--no-cache", "--format", "concise", *args])


def test_shared_backup_url_found_by_the_fleet(tmp_path):
    script = tmp_path / "update-ip232.htm"
    script.write_text("mod cmd UP0 scfg http://10.0.0.5/backup/phone.txt ser DAILY /force 24\n")
    result = lint("--simulate", "--fleet", str(FLEET), "--select", "UPD-084", str(script))
    assert result.exit_code == 1
    assert "UPD-084" in result.output and "1 backup file is written by several devices" in result.output


def test_device_specific_backup_is_clean(tmp_path):
    script = tmp_path / "update-ip232.htm"
    script.write_text("mod cmd UP0 scfg http://10.0.0.5/backup/#m.txt ser DAILY /force 24\n")
    result = lint("--simulate", "--fleet", str(FLEET), "--select", "UPD-084", str(script))
    assert result.exit_code == 0, result.output


def test_fleet_without_simulate_does_nothing(tmp_path):
    script = tmp_path / "update-ip232.htm"
    script.write_text("mod cmd UP0 scfg http://10.0.0.5/backup/phone.txt ser DAILY /force 24\n")
    assert lint("--fleet", str(FLEET), "--select", "UPD-084", str(script)).exit_code == 0


def test_unusable_fleet_file_is_exit_2(tmp_path):
    script = tmp_path / "update-ip232.htm"
    script.write_text("config write\n")
    missing = lint("--simulate", "--fleet", str(tmp_path / "none.toml"), str(script))
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[groups.a]\ncount = -1\n")
    result = lint("--simulate", "--fleet", str(bad), str(script))
    assert result.exit_code == 2 and "count" in result.output


def test_cache_sees_a_changed_fleet_file(tmp_path):
    script = tmp_path / "update-ip232.htm"
    script.write_text("mod cmd UP0 scfg http://10.0.0.5/backup/phone.txt ser DAILY /force 24\n")
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(FLEET.read_text())
    args = ["--format", "concise", "--cache-dir", str(tmp_path / "cache"), "--simulate", "--fleet", str(fleet),
            "--select", "UPD-084", str(script)]
    assert CliRunner().invoke(lint_command, args).exit_code == 1
    # One phone cannot overwrite another's backup.
    fleet.write_text(FLEET.read_text().replace("count = 3", "count = 1"))
    assert CliRunner().invoke(lint_command, args).exit_code == 0
