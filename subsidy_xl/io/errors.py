"""The exceptions callers (CLI, macros) show to the user, and how they are shown, in one place.

This module is never run as ``__main__`` and imports nothing of the package
but the adapter's own exceptions, so ``UserError`` is one class however the
tool is started (``subsidy-xl`` or ``python -m subsidy_xl.cli``).
"""
from __future__ import annotations

from .zipsafe import UnreadableWorkbook, UnsafeWorkbook, WorkbookError  # noqa: F401
from .safe_save import SaveFailed, WorkbookInUse, WorkbookReadOnly, os_error_reason  # noqa: F401


class UserError(Exception):
    """A problem the user can fix (file missing, locked, unreadable, a bad choice); its text is Chinese
    and is shown without a traceback. The use cases' own refusals subclass it."""


# Exceptions whose message is for the user. Besides these, any OSError the system raised (with an
# errno) is one: describe_error says what went wrong in Chinese.
USER_ERRORS: tuple[type[BaseException], ...] = (
    UserError, WorkbookError, FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError,
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

    OS errors raised by the system (with an errno) are described in Chinese
    (``safe_save.os_error_reason``) with the file name; other user errors show
    their own text; anything else is an internal error.
    """
    if _system_error(e):  # the system's text is English: describe it
        return f"{os_error_reason(e)}：{e.filename or ''}".rstrip("：")
    if isinstance(e, USER_ERRORS) and str(e):
        return str(e)
    return internal_error_text(e)
