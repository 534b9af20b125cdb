"""The 项目绩效目标表: layout, reading, fill, checks, self-evaluation, import."""

from ..errors import UserError


class PerformanceError(UserError):
    """A reason a 绩效目标表 use case cannot run that staff can act on (message in Chinese)."""
