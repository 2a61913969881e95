"""The status pages in a real browser: Debian's Chromium driven by Selenium
through Debian's chromium-driver, against a server that virtual devices
polled for a simulated day.  Screenshots of the three pages (1280x800) are
saved in the test's temporary folder, and copied to the folder named by
INNOSCRIPT_SCREENSHOTS when that is set."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("aiohttp")  # the server extra

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if CHROMIUM is None or DRIVER is None:
    pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; "
                ".ci/run installs them)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install selenium; .ci/run installs it)")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from innoscript.server.auth import add_user  # noqa: E402

from status_support import QUIET_PHONE, run_day  # noqa: E402

WIDTH, HEIGHT = 1280, 800
AUTH = {"Authorization": "Basic " + base64.b64encode(b"admin:status-secret").decode()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    users = folder / "users.txt"
    add_user(users, "admin", "status-secret", frozenset({"read", "write"}))
    # devices read and write without credentials; the browser logs in
    site = run_day(folder, users_file=users, anonymous=frozenset({"read", "write"}), anonymous_status=False)
    yield site
    site.server.stop()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars", "--lang=en-US"):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
    except Exception as exc:  # a driver that does not start is an environment problem
        pytest.skip(f"chromium did not start: {str(exc).splitlines()[0]}")
    driver.set_page_load_timeout(60)
    driver.implicitly_wait(10)  # elements of a page that is still loading (a busy machine)
    # exactly 1280x800 CSS pixels, whatever the window decorations
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": AUTH})
    yield driver
    driver.quit()


def screenshot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    copies = os.environ.get("INNOSCRIPT_SCREENSHOTS")
    if copies:
        Path(copies).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copies) / path.name)
    return path


def wait_for_url(driver, part: str) -> None:
    WebDriverWait(driver, 20).until(lambda d: part in d.current_url)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_devices_page(site, browser, tmp_path: Path) -> None:
    expected = {row["key"]: row for row in site.json("/_status.json", AUTH)["devices"]}
    browser.get(site.server.url + "/_status")
    assert browser.title.startswith("Devices")
    rows = browser.find_elements(By.CSS_SELECTOR, "table#devices tbody tr")
    assert len(rows) == 50
    for row in rows:
        key = row.get_attribute("data-key")
        want = expected[key]
        cells = row.find_elements(By.TAG_NAME, "td")
        assert cells[1].text.splitlines() == [want["model"], want["script"]]
        assert cells[2].text.split(" / ")[0] == want["firmware"]
        assert row.find_element(By.CSS_SELECTOR, "td.next-poll").text.splitlines()[0] == want["next_poll"]["text"]
        assert ("flagged" in row.get_attribute("class")) == bool(want["flags"])
    quiet = site.devices[QUIET_PHONE]
    flagged = browser.find_elements(By.CSS_SELECTOR, "tr.flagged")
    assert [r.get_attribute("data-key") for r in flagged] == [quiet.key]
    assert "backup overdue" in flagged[0].text
    assert rows[0].get_attribute("data-key") == quiet.key  # flagged devices first
    shot = screenshot(browser, tmp_path, "devices")
    assert png_size(shot) == (WIDTH, HEIGHT)

    # the page's own script sorts by a column: the late DECT bases are "pending"
    browser.find_element(By.CSS_SELECTOR, "th[data-sort=goal]").click()
    first = browser.find_element(By.CSS_SELECTOR, "table#devices tbody tr")
    assert expected[first.get_attribute("data-key")]["in_goal"] is True
    browser.find_element(By.CSS_SELECTOR, "th[data-sort=goal]").click()
    first = browser.find_element(By.CSS_SELECTOR, "table#devices tbody tr")
    assert expected[first.get_attribute("data-key")]["in_goal"] is False

    # "flagged only" submits the filter form
    browser.find_element(By.CSS_SELECTOR, "input[name=flagged]").click()
    wait_for_url(browser, "flagged=1")
    rows = browser.find_elements(By.CSS_SELECTOR, "table#devices tbody tr")
    assert [r.get_attribute("data-key") for r in rows] == [quiet.key]


def test_device_page(site, browser, tmp_path: Path) -> None:
    device = site.devices[0]
    browser.get(site.server.url + "/_status")
    browser.find_element(By.CSS_SELECTOR, f'tr[data-key="{device.key}"] td a').click()
    wait_for_url(browser, f"/_status/device/{quote(device.key, safe=':')}")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert "IP232" in heading and device.mac in heading and "in goal" in heading
    polls = browser.find_elements(By.CSS_SELECTOR, "table#next-polls tbody tr")
    assert len(polls) == 3
    data = site.json(f"/_status/device/{quote(device.key)}.json", AUTH)
    for row, poll in zip(polls, data["next_polls"]):
        assert row.find_element(By.CSS_SELECTOR, "td.next-poll").text == poll["text"]
    history = browser.find_elements(By.CSS_SELECTOR, "table#history tbody tr")
    assert len(history) == len(data["history"]) > 10
    links = browser.find_elements(By.PARTIAL_LINK_TEXT, "version")
    assert links, "backup versions are listed"
    screenshot(browser, tmp_path, "device")
    # a diff of the oldest backup against the current one
    browser.find_element(By.CSS_SELECTOR, "form button").click()
    wait_for_url(browser, "/diff?")
    assert "UPDATE/PROT" in browser.find_element(By.CSS_SELECTOR, "pre.diff").text
    screenshot(browser, tmp_path, "diff")


def test_scripts_page(site, browser, tmp_path: Path) -> None:
    browser.get(site.server.url + "/_status/scripts")
    sections = browser.find_elements(By.CSS_SELECTOR, "section.script")
    assert [s.get_attribute("data-path") for s in sections] == [
        "update-ip1200.htm", "update-ip232.htm", "update-ip6010.htm"]
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 3
    # the chart is drawn: a visible area per firmware build
    polygons = charts[0].find_elements(By.TAG_NAME, "polygon")
    assert len(polygons) == 2 and all(p.size["width"] > 100 for p in polygons)
    assert "13-5021837 (12)" in charts[0].text and "13-5010000 (3)" in charts[0].text
    shot = screenshot(browser, tmp_path, "scripts")
    assert png_size(shot) == (WIDTH, HEIGHT)


def test_status_needs_credentials(site) -> None:
    # devices read without credentials, the status pages do not
    assert site.get("/update-ip232.htm")[0] == 200
    assert site.get("/_status")[0] == 401
    wrong = {"Authorization": "Basic " + base64.b64encode(b"admin:wrong").decode()}
    assert site.get("/_status", wrong)[0] == 401
    assert site.get("/_status", AUTH)[0] == 200
