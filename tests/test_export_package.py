"""The submission package of the demo workbook: PDFs (one LibreOffice run for the module), the 公示 files,
the 问题清单 and the manifest."""
import csv
import hashlib
import json
import shutil
import subprocess

import pytest
from python_calamine import CalamineWorkbook

from subsidy_xl import cli, service
from subsidy_xl.analysis import analyse
from subsidy_xl.export.bundle import MANIFEST, MANIFEST_TEXT
from subsidy_xl.idcard import mask
from subsidy_xl.months import Quarter
from subsidy_xl.schema import ISSUE_COLUMNS

Q2 = Quarter(2026, 2)
needs_pdf_tools = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfinfo")),
                                     reason="LibreOffice and poppler-utils are needed for the PDF checks")


@pytest.fixture(scope="module")
def package(demo_book, tmp_path_factory):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is needed")
    out = tmp_path_factory.mktemp("export") / "package"
    report = service.export_package(demo_book, Q2, out)
    return out, report


@pytest.fixture(scope="module")
def analysis(demo_book):
    return analyse(service.open_book(demo_book), Q2)


@pytest.fixture(scope="module")
def manifest(package):
    out, _ = package
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def _pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _xlsx_text(path) -> str:
    wb = CalamineWorkbook.from_path(str(path))
    return "\n".join(str(v) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python()
                     for v in row if v != "")


def _secrets(analysis) -> set[str]:
    """Every full ID and bank account in both rosters, as typed and as read."""
    found = set()
    for roster in (analysis.living, analysis.one_off):
        for rec in roster.records:
            for value in (rec.values.get("id_text"), rec.raw.get("id"), rec.values.get("account")):
                if isinstance(value, str) and len(value) >= 12:
                    found.add(value)
    return found


def test_every_file_is_listed_with_its_sha256(package, manifest):
    out, _ = package
    names = {f["name"] for f in manifest["files"]}
    assert names | {MANIFEST} == {p.name for p in out.iterdir()}
    for f in manifest["files"]:
        data = (out / f["name"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data), f["name"]
    text = (out / MANIFEST_TEXT).read_text(encoding="utf-8")
    for f in manifest["files"]:
        if f["name"] != MANIFEST_TEXT:
            assert f["name"] in text and f["sha256"] in text


def test_manifest_totals_are_the_payment_sheets(package, manifest, analysis, demo_book):
    from subsidy_xl.tables.payments import one_off_sheet, quarterly_sheet

    _q, q_fig = quarterly_sheet(analysis.living_people, Q2, analysis.params, "")
    _o, o_fig = one_off_sheet(analysis.one_off_people, analysis.params, "")
    t = manifest["totals"]
    assert (t["living"]["paid"], t["living"]["unpaid"], t["living"]["amount"]) == \
        (q_fig["paid"], q_fig["unpaid"], q_fig["total"])
    assert sum(s["amount"] for s in t["living"]["by_street"].values()) == t["living"]["amount"]
    assert (t["one_off"]["paid"], t["one_off"]["amount"]) == (o_fig["paid"], o_fig["total"])
    assert t["budget"]["living_budget"] == 665_280
    assert manifest["quarter"] == "2026Q2"
    assert manifest["book"]["sha256"] == hashlib.sha256(demo_book.read_bytes()).hexdigest()
    assert manifest["issues"]["error"] == package[1].errors >= 1  # the demo's deliberate defects


@needs_pdf_tools
def test_pdfs_have_the_expected_page_count(package, manifest):
    out, _ = package
    pdfs = [f for f in manifest["files"] if f["name"].endswith(".pdf")]
    assert len(pdfs) == 3
    for f in pdfs:
        assert _pdf_pages(out / f["name"]) == f["pages"] >= 2, f["name"]


@needs_pdf_tools
def test_payment_pdf_carries_the_full_ids_and_accounts(package, analysis):
    """The control for the next test: text extraction does find IDs where they are printed."""
    out, _ = package
    text = _pdf_text(next(out.glob("季度发放_*.pdf")))
    paid = [p.rec for p in analysis.living_people if p.pay(Q2, analysis.params).months]
    assert all(rec.values["id_number"] in text and rec.values["account"] in text for rec in paid)


@needs_pdf_tools
def test_public_files_hold_no_full_id_and_no_bank_account(package, analysis):
    out, _ = package
    secrets = _secrets(analysis)
    assert len(secrets) > 300
    texts = {"pdf": _pdf_text(next(out.glob("公示_*.pdf"))), "xlsx": _xlsx_text(next(out.glob("公示_*.xlsx")))}
    for kind, text in texts.items():
        leaked = [mask(s) for s in secrets if s in text]
        assert not leaked, (kind, leaked[:3])
        paid = [p.rec for p in analysis.living_people if p.pay(Q2, analysis.params).months]
        assert all(mask(rec.values["id_number"]) in text for rec in paid), kind  # the masked form is there


def test_issues_list_as_xlsx_and_csv(package, analysis):
    out, _ = package
    with open(next(out.glob("问题清单_*.csv")), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [c.header for c in ISSUE_COLUMNS]
    assert [r[0] for r in rows[1:]] == [i.code for i in analysis.issues]
    assert set(_xlsx_text(next(out.glob("问题清单_*.xlsx"))).split("\n")) >= {i.code for i in analysis.issues}


def test_an_existing_package_is_not_mixed_with_a_new_one(demo_book, tmp_path):
    (tmp_path / "old.pdf").write_bytes(b"%PDF")
    assert cli.main(["export", str(demo_book), "--quarter", "2026Q2", "-o", str(tmp_path), "--no-pdf", "-q"]) \
        == cli.EXIT_UNREADABLE
    assert [p.name for p in tmp_path.iterdir()] == ["old.pdf"]


def test_cli_export_without_pdf(demo_book, tmp_path, capsys):
    out = tmp_path / "pkg"
    assert cli.main(["export", str(demo_book), "--quarter", "2026Q2", "-o", str(out), "--no-pdf", "-q"]) \
        == cli.EXIT_ERRORS
    assert "生活补贴" in capsys.readouterr().out
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert not any(f["name"].endswith(".pdf") for f in manifest["files"])


def _no_libreoffice(files, out_dir):
    from subsidy_xl.export.pdf import PdfError

    raise PdfError("未找到 LibreOffice（soffice），无法生成PDF")


@pytest.mark.parametrize("exists", [False, True])
def test_a_failed_conversion_leaves_no_half_built_folder(demo_book, tmp_path, exists):
    from subsidy_xl.export.bundle import export_package
    from subsidy_xl.export.pdf import PdfError

    out = tmp_path / "pkg"
    if exists:
        out.mkdir()
    with pytest.raises(PdfError):
        export_package(demo_book, Q2, out, converter=_no_libreoffice)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["pkg"] if exists else [])  # no hidden leftovers either
    assert not exists or not any(out.iterdir())
    report = export_package(demo_book, Q2, out, pdf=False)  # the rerun is not refused
    assert {f["name"] for f in report.manifest["files"]} | {MANIFEST} == {p.name for p in out.iterdir()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_cli_export_without_libreoffice_can_be_rerun_without_pdf(demo_book, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("subsidy_xl.export.pdf.find_soffice", lambda: None)
    out = tmp_path / "new" / "pkg"
    assert cli.main(["export", str(demo_book), "--quarter", "2026Q2", "-o", str(out), "-q"]) == cli.EXIT_UNREADABLE
    assert "LibreOffice" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # not even the parent folder the run made
    assert cli.main(["export", str(demo_book), "--quarter", "2026Q2", "-o", str(out), "--no-pdf", "-q"]) \
        == cli.EXIT_ERRORS
    assert (out / MANIFEST).is_file()


def test_cli_export_onto_a_file_is_a_user_error(demo_book, tmp_path, capsys):
    target = tmp_path / "demo.xlsx"
    shutil.copyfile(demo_book, target)
    before = target.read_bytes()
    assert cli.main(["export", str(target), "--quarter", "2026Q2", "-o", str(target), "--no-pdf", "-q"]) \
        == cli.EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert "不是文件夹" in err and "内部错误" not in err
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["demo.xlsx"]
