"""subsidy-xl ui in a real browser: Debian's headless Chromium driven by Selenium through Debian's
chromium-driver (both installed by .ci/run; nothing is downloaded). The page is served by the real server
(waitress on 127.0.0.1) for a copy of the demo workbook.

Set SUBSIDY_XL_SCREENSHOTS=docs to refresh docs/web_overview.png and docs/web_issues.png."""
from __future__ import annotations

import io
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from reliability_support import NEW_ID, returned_form
from web_support import serving

from subsidy_xl import service
from subsidy_xl.schema import LIVING

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        raise RuntimeError(".ci/run installs chromium and chromium-driver; they are missing")
    pytest.skip("Debian's chromium and chromium-driver are not installed (bash .ci/run installs them)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 120  # seconds a step may take at most on a busy 2-core machine (not a speed target)


@pytest.fixture
def served(tmp_path, demo_book):
    with serving(tmp_path / "补助经费", demo_book) as (server, _thread):
        yield server, tmp_path / "补助经费"


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--lang=zh-CN", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def wait_for(driver, condition, what: str):
    return WebDriverWait(driver, WAIT, poll_frequency=0.2).until(condition, message=what)


def message(driver) -> str:
    box = driver.find_element(By.ID, "message")
    return box.text if box.is_displayed() else ""


def click_action(driver, name: str) -> None:
    button = driver.find_element(By.XPATH, f"//div[@id='ribbon']/button[text()='{name}']")
    wait_for(driver, lambda d: button.is_enabled(), f"{name} ready")
    button.click()


def visible_issue_rows(driver) -> list[list[str]]:
    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in driver.find_elements(By.CSS_SELECTOR, "#issues tbody tr")]


def screenshot(driver, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    driver.save_screenshot(str(path))
    target = os.environ.get("SUBSIDY_XL_SCREENSHOTS")
    if target:
        shutil.copyfile(path, Path(target) / name)


def test_staff_check_refresh_and_export_in_the_browser(served, browser, tmp_path):
    server, folder = served
    twin = tmp_path / "twin.xlsx"
    shutil.copyfile(folder / "demo.xlsx", twin)
    expected = service.refresh(twin, None)  # what 全部刷新 must show: the CLI's refresh of the same book

    browser.get(server.url)
    assert "token=" not in browser.current_url  # the token went into the cookie
    book = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#books li[data-name='demo.xlsx']"),
                    "the workbook listed")[0]
    book.click()
    wait_for(browser, lambda d: d.find_element(By.ID, "overview").is_displayed(), "the summary")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#charts svg")) == 2

    # 校验: the ID check-digit issue, naming its cell
    click_action(browser, "校验")
    wait_for(browser, lambda d: "校验完成" in message(d), "校验 finished")
    rows = visible_issue_rows(browser)
    digit = [r for r in rows if r[-1] == "id-check-digit"]
    assert digit and digit[0][2] == f"{LIVING.name}!F12" and "校验位错误" in digit[0][5]
    assert digit[0][1] == "错误" and digit[0][4].startswith("530114") and "*" in digit[0][4]
    total = len(rows)
    Select(browser.find_element(By.ID, "f-severity")).select_by_visible_text("警告")
    warnings = visible_issue_rows(browser)
    assert warnings and all(r[1] == "警告" for r in warnings) and len(warnings) < total
    Select(browser.find_element(By.ID, "f-severity")).select_by_index(0)
    search = browser.find_element(By.ID, "f-search")
    search.send_keys("F12")
    assert [r[2] for r in visible_issue_rows(browser)] == [f"{LIVING.name}!F12"]
    search.clear()
    search.send_keys(" ")  # an input event after clear(): all rows again
    browser.find_element(By.CSS_SELECTOR, "#issues th[data-key='where']").click()  # sort by the cell
    places = [r[2] for r in visible_issue_rows(browser)]
    assert places == sorted(places) and len(places) == total
    Select(browser.find_element(By.ID, "f-sheet")).select_by_visible_text(LIVING.name)
    living = visible_issue_rows(browser)
    assert living and all(r[2].startswith(f"{LIVING.name}!") for r in living)
    streets = [o.text for o in Select(browser.find_element(By.ID, "f-street")).options[1:]]
    Select(browser.find_element(By.ID, "f-street")).select_by_visible_text(digit[0][3])
    assert digit[0][3] in streets and all(r[3] == digit[0][3] for r in visible_issue_rows(browser))
    Select(browser.find_element(By.ID, "f-street")).select_by_index(0)
    browser.execute_script("document.getElementById('issues-box').scrollIntoView()")
    screenshot(browser, tmp_path, "web_issues.png")
    Select(browser.find_element(By.ID, "f-sheet")).select_by_index(0)

    # 全部刷新: the totals of the CLI's refresh
    click_action(browser, "全部刷新")
    wait_for(browser, lambda d: "已写入：demo.xlsx" in message(d), "全部刷新 finished")
    assert expected.summary() in message(browser)
    cards = browser.find_element(By.ID, "cards").text
    assert f"{expected.quarter_figures['total']:,} 元" in cards
    assert f"{expected.one_off_figures['total']:,} 元" in cards
    assert f"发放 {expected.quarter_figures['paid']} 人" in cards and f"发放 {expected.one_off_figures['paid']} 人" in cards
    assert browser.find_element(By.ID, "summary-line").text == expected.summary()
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, tmp_path, "web_overview.png")

    # 导入街道报表: a returned form chosen in the file dialog; 变动情况 shown
    forms = tmp_path / "forms"
    forms.mkdir()
    form, _ = returned_form(folder / "demo.xlsx", forms, "龙城街道", {"联系电话": "13900000000"},
                            {"姓名": "新增测试", "身份证号": NEW_ID})
    picker = browser.find_element(By.ID, "import-files")
    browser.execute_script("arguments[0].hidden = false", picker)  # what the file dialog fills
    picker.send_keys(str(form))
    wait_for(browser, lambda d: "导入报送表1份" in message(d), "导入街道报表 finished")
    changes = browser.find_element(By.ID, "changes")
    assert changes.is_displayed() and "新增测试" in changes.text and NEW_ID not in changes.text
    assert NEW_ID[:6] in changes.text

    # 导出报送材料: asks the quarter, downloads one .zip
    click_action(browser, "导出报送材料")
    quarter = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#ask input[name='quarter']"), "asked")
    quarter.clear()
    quarter.send_keys("2026Q2")
    assert browser.find_element(By.CSS_SELECTOR, "#ask input[name='pdf']").is_selected()
    browser.find_element(By.ID, "ask-ok").click()
    zip_path = wait_for(browser, lambda d: [p for p in d.downloads.glob("*.zip")
                                            if not p.with_name(p.name + ".crdownload").exists()], "the download")[0]
    assert zip_path.name == "demo_报送材料_2026Q2.zip"
    assert "已生成报送材料" in message(browser)
    time.sleep(0.5)  # the file is complete once Chromium renamed it; let it close it
    with zipfile.ZipFile(io.BytesIO(zip_path.read_bytes())) as zf:
        assert zf.testzip() is None
        manifest = json.loads(zf.read("manifest.json"))
        names = zf.namelist()
    assert manifest["quarter"] == "2026Q2" and any(n.endswith(".pdf") for n in names)
    assert {e["name"] for e in manifest["files"]} <= set(names)

    origin = server.url.split("/?")[0]
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(url.startswith(origin + "/") for url in loaded), loaded  # nothing from a network
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe  # no script error, no blocked resource (the CSP allows all the page needs)
