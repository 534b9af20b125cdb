"""subsidy-xl ui through Flask's test client: every action against the CLI's results, the token, and
every refusal (no or wrong token, cross-site POST, wrong Host, paths out of the folder, oversized uploads,
a workbook open in Excel/WPS, an unreadable file, a full disk)."""
from __future__ import annotations

import errno
import hashlib
import io
import json
import re
import shutil
import threading
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from reliability_support import NEW_ID, fail_at_member, grids, returned_form, run_cli

from subsidy_xl.io.reader import read_book
from subsidy_xl.schema import (CHANGELOG_SHEET, CHANGES_SHEET, ISSUES_SHEET, LIVING, ONE_OFF, OWNED_SHEETS,
                               PERFORMANCE_SHEET, QUARTERLY_SHEET)
from subsidy_xl.web.app import TOKEN_HEADER, cookie_name, create_app

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "test-token-Zk3q"
SAME_ORIGIN = {TOKEN_HEADER: TOKEN, "Origin": BASE}


class Page:
    """The browser's side: every request to BASE with the cookie the first open set."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()

    def get(self, path: str, **kw):
        return self.client.get(path, base_url=kw.pop("base_url", BASE), **kw)

    def post(self, path: str, json_body=None, headers=None, **kw):
        headers = SAME_ORIGIN if headers is None else headers
        return self.client.post(path, json=json_body, headers=headers, base_url=kw.pop("base_url", BASE), **kw)

    def job(self, response) -> dict:
        """The job a POST started, once it has finished (polled as the page polls it)."""
        assert response.status_code == 202, response.get_json()
        job = response.get_json()
        deadline = time.monotonic() + 300
        while job["state"] == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
            job = self.get(f"/api/jobs/{job['id']}").get_json()
        assert job["state"] != "running"
        return job

    def act(self, book: str, action: str, body=None) -> dict:
        return self.job(self.post(f"/api/books/{book}/{action}", body or {}))


@pytest.fixture
def folder(tmp_path, demo_book) -> Path:
    d = tmp_path / "补助 经费"
    d.mkdir()
    shutil.copyfile(demo_book, d / "demo.xlsx")
    return d


@pytest.fixture
def app(folder, tmp_path):
    return create_app(folder, PORT, TOKEN, workdir=tmp_path / "work")


@pytest.fixture
def page(app) -> Page:
    p = Page(app)
    first = p.get(f"/?token={TOKEN}")
    assert first.status_code == 303 and first.headers["Location"] == "/"
    return p


def listing(folder: Path) -> list[str]:
    """The folder's files as staff see them (the save's own hidden lock file aside)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".subsidy-xl"))


# ---------------------------------------------------------------------------------------
# the token
# ---------------------------------------------------------------------------------------
def test_first_open_sets_an_httponly_strict_cookie_and_drops_the_token_from_the_url(app):
    p = Page(app)
    first = p.get(f"/?token={TOKEN}")
    assert first.status_code == 303 and TOKEN not in first.headers["Location"]
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{cookie_name(PORT)}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    page = p.get("/")
    assert page.status_code == 200 and f'content="{TOKEN}"' in page.get_data(as_text=True)
    assert p.get("/static/app.js").status_code == 200


@pytest.mark.parametrize("path", ["/", "/api/folder", "/static/app.js", "/static/style.css", "/files/demo.xlsx"])
def test_every_request_without_the_token_is_refused(app, path):
    p = Page(app)
    r = p.get(path)
    assert r.status_code == 403 and "缺少访问令牌" in r.get_json()["error"]
    wrong = p.get(f"{path}?token=guess")
    assert wrong.status_code == 403 and "访问令牌错误" in wrong.get_json()["error"]
    p.client.set_cookie(cookie_name(PORT), "guess", domain="127.0.0.1")
    assert p.get(path).status_code == 403


def test_a_cookie_of_another_run_on_another_port_does_not_open_this_one(app):
    p = Page(app)
    p.client.set_cookie(cookie_name(PORT + 1), TOKEN, domain="127.0.0.1")
    assert p.get("/api/folder").status_code == 403


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", f"127.0.0.1:{PORT + 1}", "127.0.0.1",
                                  f"192.168.1.5:{PORT}", f"0.0.0.0:{PORT}"])
def test_a_request_for_another_host_is_refused_even_with_the_token(page, host):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 sends Host: evil.example."""
    r = page.get(f"/api/folder?token={TOKEN}", headers={"Host": host})
    assert r.status_code == 403 and "地址不对" in r.get_json()["error"]
    assert page.get("/api/folder", headers={"Host": host}).status_code == 403


def test_localhost_is_this_server_too(app):
    p = Page(app)
    assert p.get(f"/?token={TOKEN}", base_url=f"http://localhost:{PORT}").status_code == 303
    assert p.get("/api/folder", base_url=f"http://localhost:{PORT}").status_code == 200


@pytest.mark.parametrize("headers, text", [
    ({"Origin": BASE}, "缺少访问令牌"),  # no token in the header: a form posted from elsewhere
    ({TOKEN_HEADER: "guess", "Origin": BASE}, "缺少访问令牌"),
    ({TOKEN_HEADER: TOKEN}, "其他网页"),  # no Origin
    ({TOKEN_HEADER: TOKEN, "Origin": "http://evil.example"}, "其他网页"),
    ({TOKEN_HEADER: TOKEN, "Origin": "null"}, "其他网页"),
    ({TOKEN_HEADER: TOKEN, "Origin": f"http://127.0.0.1:{PORT + 1}"}, "其他网页"),
    ({TOKEN_HEADER: TOKEN, "Origin": BASE, "Sec-Fetch-Site": "cross-site"}, "其他网页"),
    ({TOKEN_HEADER: TOKEN, "Origin": BASE, "Sec-Fetch-Site": "same-site"}, "其他网页"),
])
def test_a_cross_site_post_is_refused_and_the_workbook_is_untouched(page, folder, headers, text):
    book = folder / "demo.xlsx"
    before, names = book.read_bytes(), listing(folder)
    r = page.post("/api/books/demo.xlsx/refresh", {}, headers=headers)
    assert r.status_code == 403 and text in r.get_json()["error"]
    r = page.post("/api/new", {"name": "新.xlsx"}, headers=headers)
    assert r.status_code == 403
    assert book.read_bytes() == before and listing(folder) == names


def test_the_token_in_a_post_url_is_refused(page, folder):
    r = page.post(f"/api/books/demo.xlsx/refresh?token={TOKEN}", {})
    assert r.status_code == 403


def test_every_answer_forbids_other_origins_and_scripts(page):
    r = page.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_loads_nothing_from_a_network():
    """Every script, style and font is the package's own: no URL to another host in the page's files."""
    web = Path(__file__).parents[1] / "subsidy_xl" / "web"
    for f in [*web.glob("templates/*"), *web.glob("static/*")]:
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), f.name
        assert "@import" not in text and "@font-face" not in text


# ---------------------------------------------------------------------------------------
# the actions, each against the CLI
# ---------------------------------------------------------------------------------------
def test_the_folder_lists_its_workbooks_only(page, folder):
    (folder / "说明.txt").write_text("x")
    (folder / "~$demo.xlsx").write_bytes(b"lock")
    (folder / "子文件夹").mkdir()
    data = page.get("/api/folder").get_json()
    assert [b["name"] for b in data["books"]] == ["demo.xlsx"]
    assert data["dirs"] == ["子文件夹"] and data["folder"] == str(folder.resolve())
    assert "龙城街道" in data["streets"]


def test_check_lists_the_issues_of_the_cli_and_writes_only_the_issue_list(page, folder):
    """校验 as the ribbon does it: the CLI's checks, and the 问题清单 sheet (nothing else) written."""
    book = folder / "demo.xlsx"
    before = grids(book)
    job = page.act("demo.xlsx", "check")
    assert job["state"] == "done" and job["title"] == "校验"
    after = grids(book)
    assert {name for name in before if before[name] != after[name]} <= {ISSUES_SHEET}
    assert set(after) == set(before)
    assert job["result"]["message"].startswith("已写入：demo.xlsx（原文件备份：")
    cli = run_cli("check", book, "--format", "json", "-q")
    expected = json.loads(cli.out)
    listed = [r for r in after[ISSUES_SHEET][1:] if r and r[0]]  # the sheet's rows below its header
    assert [r[0] for r in listed[:len(expected)]] == [i["code"] for i in expected]
    rows = job["result"]["issues"]
    assert [(r["code"], r["severity"], r["sheet"], r["cell"], r["value"], r["message"]) for r in rows] == \
        [(i["code"], i["severity"], i["sheet"], i["cell"], i["value"], i["message"]) for i in expected]
    digit = next(r for r in rows if r["code"] == "id-check-digit")
    assert digit["where"] == f"{LIVING.name}!F12" and "校验位错误" in digit["message"]
    # the street is the roster row's own 街道
    street_col = LIVING.columns.index(next(c for c in LIVING.columns if c.key == "street"))
    assert digit["street"] == grids(book, [LIVING.name])[LIVING.name][11][street_col]
    counts = job["result"]["summary"]["counts"]
    assert counts == {s: sum(1 for i in expected if i["severity"] == s) for s in ("error", "warning", "info")}
    assert job["result"]["message"].endswith(
        f"\n校验完成。问题：错误{counts['error']}条、警告{counts['warning']}条、提示{counts['info']}条。")


def test_refresh_writes_what_the_cli_writes(page, folder, tmp_path):
    book, twin = folder / "demo.xlsx", tmp_path / "twin.xlsx"
    shutil.copyfile(book, twin)
    started = page.post("/api/books/demo.xlsx/refresh", {})
    assert started.status_code == 202 and started.get_json()["state"] in ("running", "done")
    job = page.job(started)
    assert job["state"] == "done" and job["title"] == "全部刷新"
    assert len(job["messages"]) >= 2 and job["messages"][-1] == job["message"]  # the use case's progress, polled
    cli = run_cli("refresh", twin, "-q")
    assert cli.code == 1  # the demo has errors
    summary_line = cli.out.splitlines()[1]
    assert job["result"]["message"].splitlines()[1] == summary_line
    assert job["result"]["summary"]["summary"] == summary_line
    mine, theirs = grids(book), grids(twin)
    for name in OWNED_SHEETS + (ONE_OFF.name, PERFORMANCE_SHEET):
        if name == CHANGELOG_SHEET:
            continue  # its new row holds the time of the run
        assert mine.get(name) == theirs.get(name), name
    assert [r[1:4] for r in mine[CHANGELOG_SHEET]] == [r[1:4] for r in theirs[CHANGELOG_SHEET]]
    # the totals shown are those of the sheets written
    s = job["result"]["summary"]
    assert f"{s['this_quarter']['total']:,}元" in summary_line and f"{s['one_off']['total']:,}元" in summary_line
    assert "原文件备份" in job["result"]["message"]


def test_the_summary_reads_the_figures_of_the_budget_and_summary_sheets(page, folder):
    job = page.act("demo.xlsx", "quarterly", {"quarter": "2026Q2"})
    assert job["state"] == "done" and job["title"] == "生成季度发放表"
    s = job["result"]["summary"]
    assert s["quarter_code"] == "2026Q2"
    sheets = grids(folder / "demo.xlsx")
    title = next(v for row in sheets[QUARTERLY_SHEET] for v in row if v)
    assert "2026年第二季度" in str(title)
    # the tables shown are the 资金安排 and 汇总 sheets as written, cell by cell
    for table, sheet in ((s["budget_table"], "资金安排"), (s["budget_quarters"], "资金安排"),
                         (s["streets_table"], "汇总")):
        assert table["rows"]
        header_at = next(i for i, row in enumerate(sheets[sheet]) if row[:len(table["header"])] == table["header"])
        for shown, written in zip(table["rows"], sheets[sheet][header_at + 1:]):
            assert all(same_cell(t, v) for t, v in zip(shown, written)), (shown, written)
    assert [r[0] for r in s["streets_table"]["rows"]][:-1] == [r[0] for r in sheets["汇总"][3:13] if r[0]]
    parts = {row[0]: row for row in s["budget_table"]["rows"]}
    living_year = next(v for h, v in zip(s["budget_table"]["header"], parts["生活补贴"]) if h.startswith("实发金额"))
    assert sum(q["living_amount"] for q in s["quarters"]) == int(living_year.replace(",", ""))
    # the two charts: the cells the 汇总 sheet's own charts read, every street and quarter named with its figure
    streets_svg = s["charts"]["streets"]
    assert streets_svg.startswith("<svg") and "全年生活补贴（测算）" in streets_svg and "一次性补助" in streets_svg
    for row in s["streets_table"]["rows"][:-1]:
        assert f">{row[0]}<" in streets_svg and f">{row[6]}<" in streets_svg  # name and its stacked total
    for q in s["quarters"]:
        assert q["quarter"] in s["charts"]["quarters"]
    # people by quarter: this quarter's row is what the 季度发放 sheet pays, people and amount
    shown_q2 = next(q for q in s["quarters"] if q["code"] == "2026Q2")
    assert (shown_q2["living_people"], shown_q2["living_amount"]) == (s["this_quarter"]["paid"],
                                                                      s["this_quarter"]["total"])
    assert shown_q2["living_people"] > 0
    assert sum(q["one_off_people"] for q in s["quarters"]) == s["one_off"]["paid"]
    again = page.act("demo.xlsx", "summary", {"quarter": "2026Q2"})
    assert again["result"]["summary"]["this_quarter"] == s["this_quarter"]


def same_cell(text: str, value) -> bool:
    """A cell as the page shows it against the value python-calamine reads from the written sheet."""
    if value in (None, ""):
        return text == ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if text.endswith("%"):
            return Decimal(text[:-1]) == (Decimal(str(value)) * 100).quantize(Decimal("0.01"))
        return Decimal(text.replace(",", "")) == Decimal(str(value))
    return text == str(value)


def test_a_bad_quarter_is_refused_in_chinese(page):
    r = page.post("/api/books/demo.xlsx/quarterly", {"quarter": "2026年二季度"})
    assert r.status_code == 400 and "季度格式应为" in r.get_json()["error"]
    r = page.post("/api/books/demo.xlsx/quarterly", {"quarter": ""})
    assert r.status_code == 400 and "请输入发放季度" in r.get_json()["error"]


def test_fill_performance_writes_what_the_cli_writes(page, folder, tmp_path):
    book, twin = folder / "demo.xlsx", tmp_path / "twin.xlsx"
    shutil.copyfile(book, twin)
    job = page.act("demo.xlsx", "fill-performance")
    assert job["state"] == "done" and job["title"] == "填写绩效目标表"
    cli = run_cli("fill-performance", twin, "-q")
    assert job["result"]["message"].splitlines()[1] == cli.out.splitlines()[1]
    assert [line for line in job["result"]["message"].splitlines() if line.startswith("建议：")] == \
        [line.strip() for line in cli.out.splitlines() if line.strip().startswith("建议：")]
    assert grids(book, [PERFORMANCE_SHEET]) == grids(twin, [PERFORMANCE_SHEET])


def test_import_streets_uploads_several_forms_and_shows_the_changes(page, folder, tmp_path, demo_book):
    forms = tmp_path / "forms"
    forms.mkdir()
    first, first_id = returned_form(demo_book, forms, "龙城街道", {"联系电话": "13900000000"},
                                    {"姓名": "新增测试", "身份证号": NEW_ID})
    second, _ = returned_form(demo_book, forms, "斗南街道", {"联系电话": "13800000000"},
                              {"姓名": "另一新人", "身份证号": "530114195003191958"})
    files = [(io.BytesIO(f.read_bytes()), f.name) for f in (first, second)]
    job = page.job(page.post("/api/books/demo.xlsx/import-streets", headers=SAME_ORIGIN,
                             data={"file": files}, content_type="multipart/form-data", json_body=None))
    assert job["state"] == "done" and job["title"] == "导入街道报表"
    result = job["result"]
    assert "导入报送表2份" in result["message"] and "请点击“全部刷新”" in result["message"]
    written = read_book(folder / "demo.xlsx").grid(CHANGES_SHEET)
    assert len(result["changes"]) == sum(1 for row in written if any(v not in (None, "") for v in row))
    text = json.dumps(result, ensure_ascii=False)
    assert "新增测试" in text and "另一新人" in text and "13900000000" in text
    assert NEW_ID not in text and first_id not in text  # IDs masked on the page
    assert NEW_ID[:6] + "********" + NEW_ID[-4:] in text
    names = {row[4] for row in written[1:] if len(row) > 4}
    assert {"新增测试", "另一新人"} <= names
    work = tmp_path / "work"  # the uploads are not kept once imported
    assert not [p for p in work.rglob("*") if p.is_file()]


def test_import_without_forms_is_refused(page):
    r = page.post("/api/books/demo.xlsx/import-streets", headers=SAME_ORIGIN, data={},
                  content_type="multipart/form-data", json_body=None)
    assert r.status_code == 400 and "请选择要导入的街道报送表" in r.get_json()["error"]


def test_export_downloads_the_package_as_one_zip(page, folder, tmp_path):
    job = page.act("demo.xlsx", "export", {"quarter": "2026Q2", "pdf": False})
    assert job["state"] == "done" and job["title"] == "导出报送材料", job["error"]
    download = job["result"]["download"]
    assert download["name"] == "demo_报送材料_2026Q2.zip"
    r = page.get(f"/download/{download['id']}")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert "filename*=UTF-8''demo_" in r.headers["Content-Disposition"]
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    manifest = json.loads(zf.read("manifest.json"))
    assert "提交清单.txt" in zf.namelist()
    for entry in manifest["files"]:
        assert hashlib.sha256(zf.read(entry["name"])).hexdigest() == entry["sha256"]
    cli_dir = tmp_path / "cli_export"
    cli = run_cli("export", folder / "demo.xlsx", "--quarter", "2026Q2", "-o", cli_dir, "--no-pdf", "-q")
    assert cli.code == 1
    said = job["result"]["message"].splitlines()  # the CLI's sentences: its summary, its errors and held line
    assert said[0] == f"已生成报送材料（{download['name']}）"
    assert [line for line in said[1:] if not line.startswith("注意：")] == cli.out.splitlines()[1:]
    assert said[-1].startswith("问题清单中有 ") and "条错误。" in said[-1]
    assert [line for line in said if line.startswith("注意：")] == \
        [line for line in cli.err.splitlines() if line.startswith("注意：")]
    assert sorted(zf.namelist()) == sorted(p.relative_to(cli_dir).as_posix() for p in cli_dir.rglob("*") if p.is_file())
    assert manifest["totals"] == json.loads((cli_dir / "manifest.json").read_text(encoding="utf-8"))["totals"]
    assert page.get("/download/not-a-key").status_code == 404
    kept = [p for p in (tmp_path / "work").rglob("*") if p.is_file()]
    assert [p.name for p in kept] == [download["name"]]  # only the .zip, in the page's private folder


def test_new_and_demo_make_workbooks_in_the_folder_and_never_overwrite(page, folder, tmp_path):
    job = page.job(page.post("/api/new", {"name": "补助经费.xlsx"}))
    assert job["state"] == "done" and job["result"]["message"] == "已生成空白工作簿：补助经费.xlsx"
    assert read_book(folder / "补助经费.xlsx").grid(LIVING.name) is not None
    again = page.job(page.post("/api/new", {"name": "补助经费.xlsx"}))
    assert again["state"] == "failed" and "文件已存在，未覆盖" in again["error"]
    assert again["error"].startswith("新建工作簿未完成：")
    demo = page.job(page.post("/api/new", {"name": "演示.xlsx", "demo": True, "quarter": "2026Q2"}))
    cli = run_cli("demo", tmp_path / "cli_demo.xlsx", "--quarter", "2026Q2", "-q")
    assert demo["state"] == "done" and demo["result"]["message"].splitlines()[1] == cli.out.splitlines()[1]
    assert {"补助经费.xlsx", "演示.xlsx"} <= {b["name"] for b in page.get("/api/folder").get_json()["books"]}


def test_street_forms_prefilled_and_blank(page, folder, demo_book, tmp_path):
    job = page.act("demo.xlsx", "street-form", {"street": "龙城街道"})
    assert job["state"] == "done" and job["result"]["file"] == "龙城街道报送表.xlsx"
    cli = run_cli("street-form", tmp_path / "cli.xlsx", "--street", "龙城街道", "--book", folder / "demo.xlsx")
    assert job["result"]["message"].split("：", 1)[1].split("（")[1] == cli.out.split("（")[1].strip()
    r = page.get("/files/龙城街道报送表.xlsx")
    assert r.status_code == 200 and r.data == (folder / "龙城街道报送表.xlsx").read_bytes()
    blank = page.job(page.post("/api/street-form", {"street": "斗南街道"}))
    assert blank["state"] == "done" and blank["result"]["message"].endswith("（空表）")
    unknown = page.job(page.post("/api/street-form", {"street": "不存在街道"}))
    assert unknown["state"] == "failed" and "未知街道" in unknown["error"]
    sneaky = page.job(page.post("/api/street-form", {"street": "../../龙城街道"}))
    assert sneaky["state"] == "failed" and not (folder.parent / "龙城街道报送表.xlsx").exists()


def test_a_workbook_dropped_on_the_page_is_saved_in_the_folder(page, folder, demo_book):
    send = lambda name, data: page.post("/api/upload", headers=SAME_ORIGIN, json_body=None,
                                        data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    r = send("拖入的.xlsx", demo_book.read_bytes())
    assert r.status_code == 200 and (folder / "拖入的.xlsx").read_bytes() == demo_book.read_bytes()
    assert r.get_json() == {"saved": ["拖入的.xlsx"], "message": "已保存到文件夹：拖入的.xlsx"}
    r = send("拖入的.xlsx", b"other")
    assert r.status_code == 400 and "文件已存在，未覆盖" in r.get_json()["error"]
    assert (folder / "拖入的.xlsx").read_bytes() == demo_book.read_bytes()
    r = send("C:\\Users\\me\\Desktop\\带路径.xlsx", demo_book.read_bytes())  # old browsers send the whole path
    assert r.status_code == 200 and (folder / "带路径.xlsx").exists()
    for bad in ("说明.txt", ".hidden.xlsx", "~$demo.xlsx", "..", ""):
        r = send(bad, b"x")
        assert r.status_code == 400, bad
    assert send("../../outside.xlsx", b"x").status_code == 200  # only the name is taken, as for a whole path
    assert (folder / "outside.xlsx").exists() and not (folder.parent / "outside.xlsx").exists()
    assert not (folder.parent.parent / "outside.xlsx").exists()


def test_an_oversized_upload_is_refused_in_chinese(folder, tmp_path):
    small = create_app(folder, PORT, TOKEN, workdir=tmp_path / "w2", max_upload=4096)
    p = Page(small)
    p.get(f"/?token={TOKEN}")
    r = p.post("/api/upload", headers=SAME_ORIGIN, json_body=None, content_type="multipart/form-data",
               data={"file": (io.BytesIO(b"x" * 10000), "大.xlsx")})
    assert r.status_code == 413 and "上传的文件太大" in r.get_json()["error"]
    assert not (folder / "大.xlsx").exists()
    r = p.post("/api/books/demo.xlsx/import-streets", headers=SAME_ORIGIN, json_body=None,
               content_type="multipart/form-data", data={"file": (io.BytesIO(b"x" * 10000), "表.xlsx")})
    assert r.status_code == 413


# ---------------------------------------------------------------------------------------
# no file outside the folder
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["..%2Fsecret.xlsx", "..%2F..%2Fsecret.xlsx", "%2E%2E%2Fsecret.xlsx",
                                  "..%5Csecret.xlsx", "sub%2Fsecret.xlsx", "%2Ftmp%2Fsecret.xlsx"])
def test_path_traversal_is_refused(page, folder, name):
    secret = folder.parent / "secret.xlsx"
    shutil.copyfile(folder / "demo.xlsx", secret)
    before = secret.read_bytes()
    for r in (page.get(f"/files/{name}"), page.post(f"/api/books/{name}/refresh", {}),
              page.post(f"/api/books/{name}/check", {})):
        assert r.status_code in (400, 404), r.status_code
        assert r.is_json and "Traceback" not in r.get_data(as_text=True)
        assert r.data != before
    assert secret.read_bytes() == before


def test_a_symlink_out_of_the_folder_is_neither_listed_nor_opened(page, folder, tmp_path):
    outside = tmp_path / "outside.xlsx"
    shutil.copyfile(folder / "demo.xlsx", outside)
    (folder / "link.xlsx").symlink_to(outside)
    assert "link.xlsx" not in [b["name"] for b in page.get("/api/folder").get_json()["books"]]
    r = page.post("/api/books/link.xlsx/refresh", {})
    assert r.status_code == 400 and "所选文件夹以外" in r.get_json()["error"]
    assert page.get("/files/link.xlsx").status_code == 400


def test_changing_folder(page, folder):
    (folder / "子").mkdir()
    shutil.copyfile(folder / "demo.xlsx", folder / "子" / "另一本.xlsx")
    r = page.post("/api/folder", {"path": "子"})
    assert r.status_code == 200 and [b["name"] for b in r.get_json()["books"]] == ["另一本.xlsx"]
    assert page.post("/api/books/demo.xlsx/check", {}).status_code == 400  # the old folder's book is out now
    r = page.post("/api/folder", {"path": ".."})
    assert r.get_json()["folder"] == str(folder.resolve())
    r = page.post("/api/folder", {"path": str(folder / "没有这个")})
    assert r.status_code == 400 and "文件夹不存在" in r.get_json()["error"]


# ---------------------------------------------------------------------------------------
# failures, in Chinese, the workbook untouched
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lock", ["~$demo.xlsx", ".~lock.demo.xlsx#"])
def test_a_workbook_open_in_excel_or_wps_is_not_written(page, folder, lock):
    (folder / lock).write_bytes(b"owner")
    book = folder / "demo.xlsx"
    before = book.read_bytes()
    for action in ("refresh", "fill-performance"):
        job = page.act("demo.xlsx", action)
        assert job["state"] == "failed"
        assert "正在 Excel/WPS/LibreOffice 中打开" in job["error"] and "请先关闭它再试" in job["error"]
    assert book.read_bytes() == before


def test_an_unreadable_workbook_is_described(page, folder):
    (folder / "坏.xlsx").write_bytes(b"this is no workbook")
    job = page.act("坏.xlsx", "check")
    assert job["state"] == "failed" and job["error"].startswith("校验未完成：")
    assert "内部错误" not in job["error"] and "Traceback" not in job["error"]
    assert run_cli("check", folder / "坏.xlsx", "-q").err.strip() == f"错误：{job['error'].split('：', 1)[1]}"


def test_a_full_disk_leaves_the_workbook_intact(page, folder, monkeypatch):
    book = folder / "demo.xlsx"
    before, names = book.read_bytes(), listing(folder)
    written = fail_at_member(monkeypatch, 12, OSError(errno.ENOSPC, "No space left on device"))
    job = page.act("demo.xlsx", "refresh")
    assert job["state"] == "failed" and "磁盘空间不足" in job["error"]
    assert len(written) == 11  # the save really was cut there
    assert book.read_bytes() == before and listing(folder) == names


def test_a_second_change_to_the_same_book_waits_its_turn(page, app):
    jobs = app.extensions["subsidy_xl"]["jobs"]
    desk = app.extensions["subsidy_xl"]["desk"]
    release = threading.Event()
    first = jobs.start("全部刷新", lambda progress: release.wait(60) and {}, book="demo.xlsx",
                       lock_key=str(desk.folder.path("demo.xlsx")))
    try:
        r = page.post("/api/books/demo.xlsx/refresh", {})
        assert r.status_code == 409 and "正在全部刷新" in r.get_json()["error"]
        assert page.post("/api/books/demo.xlsx/summary", {}).status_code == 202  # reading is fine
        assert page.post("/api/books/demo.xlsx/check", {}).status_code == 409  # 校验 writes the 问题清单: it waits
    finally:
        release.set()
    jobs.wait(first.id)
    assert page.act("demo.xlsx", "refresh")["state"] == "done"


def test_an_unknown_job_or_action(page):
    assert page.get("/api/jobs/nope").status_code == 404
    r = page.post("/api/books/demo.xlsx/format-disk", {})
    assert r.status_code == 404 and r.get_json()["error"] == "没有这个操作"


def test_every_refusal_the_page_shows_is_its_chinese_sentence(page, folder):
    names = listing(folder)
    expected = [
        (page.get("/api/jobs/nope"), 404, "找不到该任务（可能已重新启动）"),
        (page.get("/download/nope"), 404, "下载已失效，请重新导出"),
        (page.get("/no/such/page"), 404, "找不到该页面或文件"),
        (page.get("/api/quit"), 405, "不支持的请求方式"),
        (page.post("/api/upload", {}), 400, "没有收到文件"),
        (page.post("/api/folder", {"path": " "}), 400, "请输入文件夹"),
        (page.post("/api/quit", {}), 400, "本页面不是由 subsidy-xl ui 启动的，无法从页面退出"),
        (page.get("/files/notes.txt"), 400, "“notes.txt”不是 Excel 工作簿（应为 .xlsx、.xlsm 文件）"),
        (page.post(f"/api/books/{'长' * 80}.xlsx/check", {}), 400, "文件名过长"),
    ]
    for r, status, text in expected:
        assert (r.status_code, r.get_json()) == (status, {"error": text})
    job = page.job(page.post("/api/street-form", {"street": " "}))
    assert job["state"] == "failed" and job["error"] == "生成街道报送表未完成：请选择街道"
    assert listing(folder) == names


# ---------------------------------------------------------------------------------------
# personal data
# ---------------------------------------------------------------------------------------
def _people_secrets(book: Path) -> set[str]:
    """Every ID and bank account in the rosters, as the tool reads them."""
    from subsidy_xl.service import check

    found = set()
    analysis = check(book)
    for roster in (analysis.living, analysis.one_off):
        for rec in roster.records:
            for key in ("id", "account"):
                c = rec.cols.get(key)
                value = rec.cells[c] if c is not None and c < len(rec.cells) else None
                if isinstance(value, str) and len(value) >= 12:
                    found.add(value)
    return found


def test_no_id_or_account_reaches_the_page(page, folder):
    secrets_ = _people_secrets(folder / "demo.xlsx")
    assert len(secrets_) > 100  # the rosters were read: IDs and accounts of both
    bodies = []
    for action in ("summary", "check", "refresh", "fill-performance"):
        bodies.append(json.dumps(page.act("demo.xlsx", action), ensure_ascii=False))
    bodies.append(page.get("/").get_data(as_text=True))
    text = "\n".join(bodies)
    leaked = [s for s in secrets_ if s in text]
    assert not leaked
    assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", text)



def test_a_cell_shown_as_written_masks_an_id_or_account_split_by_spaces_or_hyphens():
    """变动情况 cells reach the page as written: an account typed 6222-0200-1234-5678 or an ID typed in
    groups is masked as everywhere else (idcard.redact), not only an unbroken run of digits."""
    from subsidy_xl.web.present import sheet_table

    shown = sheet_table([["张三", "6222-0200-1234-5678", "530114 19500230 1232", "2026-01-01"]])
    assert shown == [["张三", "************5678", "530114********1232", "2026-01-01"]]


def test_an_internal_error_quoting_an_id_or_account_reaches_the_page_masked():
    """An unexpected failure shows its detail (for the maintainers); an ID or account in it is masked."""
    from subsidy_xl.web.jobs import Jobs

    def work(progress):
        raise ValueError(f"无法解析 {NEW_ID} 与 6222020012345678")

    jobs = Jobs()
    job = jobs.wait(jobs.start("校验", work).id)
    assert job.state == "failed" and job.error.startswith("校验未完成：内部错误（ValueError）")
    assert NEW_ID not in job.error and "6222020012345678" not in job.error
    assert f"{NEW_ID[:6]}********{NEW_ID[-4:]}" in job.error and "************5678" in job.error

def test_the_page_keeps_uploads_and_packages_in_an_owner_only_folder(folder):
    app = create_app(folder, PORT, TOKEN)
    holder = app.extensions["subsidy_xl_tmp"]
    work = Path(holder.name)
    assert work.is_dir() and work.stat().st_mode & 0o777 == 0o700
    holder.cleanup()
    assert not work.exists()
