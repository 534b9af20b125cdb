"""What a street form carries so that its return can be checked: the format name, the hidden sheet of the
values it was made with (原始数据), its header items, and their digest. Written by form.py, read by
returned.py."""
from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

FORMAT = "subsidy-xl 街道报表 1"
BASELINE_SHEET = "原始数据"
BASELINE_HEADERS = ("名册", "身份证号", "列", "原值")
META_LABELS = {"format": "格式", "street": "街道", "created": "生成时间", "source": "来源工作簿", "digest": "校验码"}


def baseline_digest(street: str, entries: Iterable[Sequence[str]]) -> str:
    h = hashlib.sha256(f"{FORMAT}\n{street}\n".encode())
    for entry in entries:
        h.update(("\t".join(entry) + "\n").encode())
    return h.hexdigest()
