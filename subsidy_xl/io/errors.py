"""The adapter's exception hierarchy, in one place for callers (CLI, macros)."""
from .zipsafe import UnreadableWorkbook, UnsafeWorkbook, WorkbookError  # noqa: F401
from .safe_save import SaveFailed, WorkbookInUse, WorkbookReadOnly  # noqa: F401
