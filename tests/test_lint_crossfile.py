"""Files that `mod cmd UP0 cfg` loads: found on disk, linted as payloads, noted at the cfg line."""

from __future__ import annotations

import os

from innoscript.lint import Settings, lint_text
from innoscript.lint.crossfile import lint_payload, payload_path, payloads
from innoscript.syntax import parse

BROKEN_PAYLOAD = "config change TIME /ntp1 10.0.0.1\nmod\x01cmd UP1 poll\nmod cmd UP0 cfg http://10.0.0.5/cfg/x.txt ser A\n"


def make(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_default_is_the_last_url_segment_next_to_the_script(tmp_path):
    payload = make(tmp_path, "site.txt", "config change TIME /ntp1 10.0.0.1\n")
    script = str(tmp_path / "update-ip232.htm")
    assert payload_path("http://10.0.0.5/cfg/site.txt", script, Settings()) == payload
    assert payload_path("http://10.0.0.5/cfg/site.txt?mac=1", script, Settings()) == payload
    assert payload_path("http://10.0.0.5/cfg/other.txt", script, Settings()) is None
    assert payload_path("http://10.0.0.5/cfg/#m.txt", script, Settings()) is None  # per device
    assert payload_path("http://10.0.0.5/cfg/", script, Settings()) is None
    assert payload_path("http://10.0.0.5/cfg/site.txt", "<stdin>", Settings()) is None


def test_url_map_longest_prefix_wins(tmp_path):
    make(tmp_path, "payloads/deep/site.txt", "x\n")
    make(tmp_path, "other/cfg/deep/site.txt", "x\n")
    settings = Settings(url_map=(("http://10.0.0.5/", str(tmp_path / "other")),
                                 ("http://10.0.0.5/cfg/", str(tmp_path / "payloads"))))
    found = payload_path("http://10.0.0.5/cfg/deep/site.txt", "/elsewhere/update-x.htm", settings)
    assert found == os.path.join(str(tmp_path / "payloads"), "deep", "site.txt")


def test_note_at_the_cfg_line_counts_payload_findings(tmp_path):
    make(tmp_path, "bad.txt", BROKEN_PAYLOAD)
    make(tmp_path, "good.txt", "config change TIME /ntp1 10.0.0.1\n")
    script = str(tmp_path / "update-ip232.htm")
    text = "mod cmd UP0 cfg http://10.0.0.5/cfg/good.txt ser A\nmod cmd UP0 cfg http://10.0.0.5/cfg/bad.txt reset\n"
    notes = [d for d in lint_text(text, script) if d.code == "UPD-068"]
    _, payload_findings = lint_payload(str(tmp_path / "bad.txt"), Settings())
    assert len(notes) == 1 and notes[0].span.line == 2 and notes[0].span.col == 17
    assert f"has {len(payload_findings)} finding" in notes[0].message
    assert any(d.code == "UPD-090" and d.span.line == 2 for d in payload_findings)


def test_payloads_are_linted_in_payload_mode_and_do_not_recurse(tmp_path):
    make(tmp_path, "x.txt", BROKEN_PAYLOAD)
    script = parse("mod cmd UP0 cfg http://10.0.0.5/cfg/x.txt reset\n")
    script.source.path = str(tmp_path / "update-a.htm")
    assert [p.path for p in payloads(script, Settings())] == [str(tmp_path / "x.txt")]
    # the payload names itself; in payload mode nothing is followed
    assert payloads(parse(BROKEN_PAYLOAD), Settings(mode="cfg-payload")) == []
    lint_text(BROKEN_PAYLOAD, str(tmp_path / "x.txt"))  # a self-reference terminates


def test_a_url_many_cfg_lines_load_is_looked_up_once(tmp_path, monkeypatch):
    from innoscript.lint import crossfile

    payload = make(tmp_path, "site.txt", "config change TIME /ntp1 10.0.0.1\n")
    script_path = make(tmp_path, "update-ip232.htm", "mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt ser A\n" * 50
                       + "mod cmd UP0 cfg http://10.0.0.5/cfg/none.txt ser B\n" * 50)
    looked_up: list[str] = []
    original = crossfile.payload_path

    def counting(url, *args):
        looked_up.append(url)
        return original(url, *args)

    monkeypatch.setattr(crossfile, "payload_path", counting)
    found = payloads(parse(open(script_path, encoding="utf-8").read(), script_path), Settings())
    assert [p.path for p in found] == [payload] * 50 and [p.line.number for p in found] == list(range(1, 51))
    assert sorted(looked_up) == ["http://10.0.0.5/cfg/none.txt", "http://10.0.0.5/cfg/site.txt"]


def test_a_file_and_its_payloads_are_looked_up_on_disk_once_per_url(tmp_path, monkeypatch):
    """Rule UPD-068 looks the payloads up while linting; the pipeline takes that lookup
    instead of looking at the disk again (and looks itself when the rule is not selected)."""
    from innoscript.lint import crossfile
    from innoscript.lint.pipeline import lint_data

    make(tmp_path, "bad.txt", BROKEN_PAYLOAD)
    make(tmp_path, "good.txt", "config change TIME /ntp1 10.0.0.1\n")
    script = str(tmp_path / "update-ip232.htm")
    text = ("mod cmd UP0 cfg http://10.0.0.5/cfg/good.txt ser A\nmod cmd UP0 cfg http://10.0.0.5/cfg/bad.txt reset\n"
            "mod cmd UP0 cfg http://10.0.0.5/cfg/missing.txt ser B\n").encode()
    asked = []
    real = crossfile.payload_path
    monkeypatch.setattr(crossfile, "payload_path", lambda url, *rest: asked.append(url) or real(url, *rest))
    expected = [os.path.join(str(tmp_path), "good.txt"), os.path.join(str(tmp_path), "bad.txt")]
    for settings in (Settings(), Settings(ignore=("UPD-068",))):
        asked.clear()
        _, diagnostics, deps = lint_data(text, script, settings)
        assert deps == expected
        assert sorted(asked) == sorted(["http://10.0.0.5/cfg/good.txt", "http://10.0.0.5/cfg/bad.txt",
                                        "http://10.0.0.5/cfg/missing.txt"])
        assert any(d.code == "UPD-068" for d in diagnostics) == (not settings.ignore)
