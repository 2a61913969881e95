"""How a URL maps to a local file: the plain-URL shortcut answers as the long way does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript import urlmap

SEGMENTS = st.sampled_from(["cfg", "site.txt", "a b", "..", ".", "", "x%41", "p\\q", "ü", "#h", "?q=1", "f.txt",
                            "x" * 300, "\u00a0" * 300])  # names longer than a file system allows
URLS = st.builds(
    lambda scheme, host, parts: f"{scheme}://{host}/" + "/".join(parts),
    st.sampled_from(["http", "HTTP", "https", "ftp", "http:", ""]),
    st.sampled_from(["10.0.0.5", "", "[::1]", "user@h:8080", "h"]),
    st.lists(SEGMENTS, max_size=4),
)


def _long_way(url: str, folder) -> urlmap.Resolution:
    original = urlmap._plain
    urlmap._plain = lambda bare, folder: None
    try:
        return urlmap.resolve(url, (), folder)
    finally:
        urlmap._plain = original


@settings(max_examples=300, deadline=None)
@given(URLS)
def test_the_plain_url_shortcut_answers_as_the_long_way(tmp_path_factory, url):
    folder = tmp_path_factory.getbasetemp() / "urlmap-site"
    (folder / "cfg").mkdir(parents=True, exist_ok=True)
    (folder / "cfg" / "site.txt").write_text("x")
    (folder / "f.txt").write_text("x")
    for where in (str(folder), None):
        assert urlmap.resolve(url, (), where) == _long_way(url, where), (url, where)


def test_a_name_longer_than_the_file_system_allows_is_no_file(tmp_path):
    """The file system refuses to look it up (ENAMETOOLONG): the payload is not there, no error."""
    for name in ("x" * 300, "\u00e9" * 300, "a\u00a0" * 200):
        for url_map in ((), (("http://10.0.0.5/", str(tmp_path)),)):
            found = urlmap.resolve(f"http://10.0.0.5/{name}.txt", url_map, tmp_path)
            assert found.path is None
