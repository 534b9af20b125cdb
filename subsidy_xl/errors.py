"""The errors users see, and how every door (CLI, ribbon, web page) shows them: one module for them all.

Like pip's ``exceptions.py``, this module imports nothing from the package, so that every layer (the
core, the file adapter, the use cases, the doors) can raise a ``UserError`` without importing any other
layer, and ``UserError`` is one class however the tool is started (``subsidy-xl`` or
``python -m subsidy_xl.cli``).
"""
from __future__ import annotations

import errno


class UserError(Exception):
    """A problem the user can fix (file missing, locked, unreadable, a bad choice); its text is Chinese
    and is shown without a traceback. The adapters' and use cases' own refusals subclass it."""


# errno -> why, in Chinese: the one table (describe_error describes every OSError the system raised with it).
OS_ERROR_REASONS = {
    errno.ENOENT: "找不到文件", errno.EEXIST: "文件已存在，未覆盖", errno.EACCES: "没有权限读写文件",
    errno.EPERM: "没有权限读写文件", errno.EISDIR: "这是一个文件夹，不是工作簿", errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘为只读", errno.EIO: "磁盘读写错误", errno.ENAMETOOLONG: "文件名过长",
    **({errno.EDQUOT: "磁盘配额已用完"} if hasattr(errno, "EDQUOT") else {}),
}


def os_error_reason(exc: OSError) -> str:
    """Why, in Chinese (the system's own text is English; it stays in the exception chain for --debug)."""
    return OS_ERROR_REASONS.get(exc.errno) or (f"系统错误代码 {exc.errno}" if exc.errno else "系统错误")


# Exceptions whose message is for the user. Besides these, any OSError the system raised (with an
# errno) is one: describe_error says what went wrong in Chinese.
USER_ERRORS: tuple[type[BaseException], ...] = (
    UserError, FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError,
)


def internal_error_text(e: BaseException) -> str:
    """The text of an unexpected failure: what to send to the maintainers, no traceback."""
    detail = str(e).strip()
    return f"内部错误（{type(e).__name__}）" + (f"：{detail}" if detail else "") + "。请将此信息发给维护人员"


def _system_error(e: BaseException) -> bool:
    return isinstance(e, OSError) and e.errno is not None


def is_user_error(e: BaseException) -> bool:
    """Whether ``e`` is the user's to fix (shown as ``describe_error`` says) rather than an internal error."""
    return isinstance(e, USER_ERRORS) or _system_error(e)


def describe_error(e: BaseException) -> str:
    """The Chinese text shown for ``e``.

    OS errors raised by the system (with an errno) are described in Chinese (``os_error_reason``) with
    the file name; other user errors show their own text; anything else is an internal error.
    """
    if _system_error(e):  # the system's text is English: describe it
        return f"{os_error_reason(e)}：{e.filename or ''}".rstrip("：")
    if isinstance(e, USER_ERRORS) and str(e):
        return str(e)
    return internal_error_text(e)
