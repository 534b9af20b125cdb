"""Excel's error values (#REF!, #N/A ...): what a cell shows when its formula failed, e.g. a lookup whose
sheet was deleted.

Both doors read them as their text, as Excel shows it: the file reader from the cell's ``t="e"`` value
(io/reader.py), the live door through xlwings' ``err_to_str``. A cell holding one is never taken for an empty
cell: the roster and 参数 readers report it at its cell (an error, which holds the person's payment).
"""
from __future__ import annotations

# The error values of Excel (and of the newer dynamic-array and data-type functions), as displayed.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                          "#EXTERNAL!", "#PYTHON!"})


def is_error_value(value: object) -> bool:
    return type(value) is str and value in EXCEL_ERRORS


def error_message(header: str, value: str) -> str:
    """What 问题清单 says of an error value in a column or parameter called ``header``."""
    return (f"“{header}”是错误值 {value}（常见于公式引用的工作表或单元格已被删除），不能当作空白；"
            "请改正该单元格，或改为直接填写数值")
