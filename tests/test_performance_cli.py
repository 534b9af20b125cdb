"""The fill-performance and import-performance commands."""
import json

import openpyxl

from subsidy_xl.cli import EXIT_UNREADABLE, build_parser, main
from subsidy_xl.sample import load_sample
from subsidy_xl.template import build


def test_commands_are_registered():
    parser = build_parser()
    fill = parser.parse_args(["fill-performance", "book.xlsx", "-o", "out.xlsx"])
    assert fill.func.__module__ == "subsidy_xl.performance.cli" and str(fill.output) == "out.xlsx"
    imp = parser.parse_args(["import-performance", "book.xlsx", "目标表.docx"])
    assert str(imp.source) == "目标表.docx"


def test_a_workbook_without_the_sheet_gets_a_chinese_message(tmp_path, capsys):
    path = build(tmp_path / "book.xlsx", None)
    wb = openpyxl.load_workbook(path)
    del wb["绩效目标表"]
    wb.save(path)
    assert main(["fill-performance", str(path)]) == EXIT_UNREADABLE
    assert "工作簿中没有“绩效目标表”工作表" in capsys.readouterr().err


def test_fill_then_check_on_the_command_line(tmp_path, capsys):
    path = build(tmp_path / "demo.xlsx", load_sample())
    main(["fill-performance", "-q", str(path)])
    out = capsys.readouterr().out
    assert "填写绩效目标表：写入" in out
    main(["check", "--format", "json", str(path)])
    codes = {i["code"] for i in json.loads(capsys.readouterr().out)}
    assert not {c for c in codes if c.startswith(("perf-count-", "perf-amount-", "narrative-"))}


def test_review_performance_lists_a_received_forms_problems_or_names_the_columns_it_refuses(capsys):
    from pathlib import Path

    forms = Path(__file__).parent / "data" / "performance_forms"
    code = main(["review-performance", "--format", "json", str(forms / "07_chongqing_wugui_2023_cunganbu.docx")])
    issues = json.loads(capsys.readouterr().out)
    assert code == 1  # 促进经济发展 has no 指标值: an error
    assert {"perf-weights-sum", "perf-cost-not-capped", "perf-headcount-ge", "perf-value-missing"} <= \
        {i["code"] for i in issues}
    assert {i["sheet"] for i in issues} == {"07_chongqing_wugui_2023_cunganbu.docx"}
    code = main(["review-performance", str(forms / "11_hubei_ezhou_2022_xiangmu.docx")])
    err = capsys.readouterr().err
    assert code == EXIT_UNREADABLE and "“绩效标准”" in err and "未导入" in err


def test_review_performance_says_how_many_rows_it_read_and_which_values_it_took_as_equal(tmp_path, capsys):
    path = tmp_path / "目标表.xlsx"
    wb = openpyxl.Workbook()
    for row in [["三级指标", "指标值", "度量单位"], ["发放人数", 84, "人"], ["覆盖村数", "12", "个"],
                ["满意度", "≥90%", None]]:
        wb.active.append(row)
    wb.save(path)
    main(["review-performance", str(path)])
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "已读取“目标表.xlsx”：指标3行；2行指标值没有写 =、≥、≤，按“=”读取"
