"""The exceptions callers (CLI, macros) show to the user, and how they are shown, in one place.

This module is never run as ``__main__`` and imports nothing of the package
but the adapter's own exceptions, so ``UserError`` is one class however the
tool is started (``subsidy-xl`` or ``python -m subsidy_xl.cli``).
"""
from __future__ import annotations

from .zipsafe import UnreadableWorkbook, UnsafeWorkbook, WorkbookError  # noqa: F401
from .safe_save import SaveFailed, WorkbookInUse, WorkbookReadOnly  # noqa: F401


class UserError(Exception):
    """A problem the user can fix (file missing, locked, unreadable, a bad choice); its text is Chinese
    and is shown without a traceback."""


# Exceptions whose message is for the user (OS errors are described in Chinese by describe_error).
USER_ERRORS: tuple[type[BaseException], ...] = (
    UserError, WorkbookError, FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError,
)

_OS_ERROR_TEXTS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "找不到文件"),
    (FileExistsError, "文件已存在，未覆盖"),
    (PermissionError, "没有权限读写文件"),
    (IsADirectoryError, "这是一个文件夹，不是工作簿"),
)


def internal_error_text(e: BaseException) -> str:
    """The text of an unexpected failure: what to send to the maintainers, no traceback."""
    detail = str(e).strip()
    return f"内部错误（{type(e).__name__}）" + (f"：{detail}" if detail else "") + "。请将此信息发给维护人员"


def is_user_error(e: BaseException, also: tuple[type[BaseException], ...] = ()) -> bool:
    return isinstance(e, USER_ERRORS + tuple(also))


def describe_error(e: BaseException, also: tuple[type[BaseException], ...] = ()) -> str:
    """The Chinese text shown for ``e``.

    User errors (``USER_ERRORS`` and the callers' ``also``) show their own text;
    OS errors raised by the system (with an errno) are described in Chinese with
    the file name; anything else is an internal error.
    """
    if not is_user_error(e, also):
        return internal_error_text(e)
    if isinstance(e, OSError) and e.errno is not None:  # the system's English text: describe it
        for kind, text in _OS_ERROR_TEXTS:
            if isinstance(e, kind):
                return f"{text}：{e.filename or ''}".rstrip("：")
    return str(e) or internal_error_text(e)
