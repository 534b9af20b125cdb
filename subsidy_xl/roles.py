"""Posts as the streets write them -> 职务类别 (一肩挑 / 正职 / 副职 / 监委会主任).

A post is split into its parts (社区党组织书记、居委会主任 is two posts held
together); each part must be recognised, or the whole post is refused: an
unknown post is reported, never guessed.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Mapping, NamedTuple

# Separators between posts held together: 、，,/;；和及兼与 and spaces.
_SPLIT = re.compile(r"[、,，/;；\s]+|兼任?|和|及|与")
_NOISE = re.compile(r"[\"'“”‘’「」『』()（）\[\]【】<>《》·.。:：!！?？*＊_-]")

# Kinds of single post; the combination decides the category.
SECRETARY, DIRECTOR, DEPUTY, SUPERVISOR = "secretary", "director", "deputy", "supervisor"

# Recognised forms of each kind, after noise removal. Order matters: the more
# specific forms (监督委员会主任, 副主任) are tried before the general ones.
_KINDS = (
    (SUPERVISOR, re.compile(r"^(?:社区|村)?(?:居务)?监(?:督)?委(?:员)?会?主任$|^监委会主任$")),
    (DEPUTY, re.compile(r"^(?:社区)?(?:党(?:委|总支|支部|组织)?)?副书记$")),
    (DEPUTY, re.compile(r"^(?:社区)?(?:居(?:民)?委(?:员)?会?|村委会?)?副主任$")),
    (SECRETARY, re.compile(r"^(?:社区)?党(?:委|总支|支部|组织)?书记$|^(?:社区)?书记$")),
    (DIRECTOR, re.compile(r"^(?:社区)?(?:居(?:民)?委(?:员)?会?|村委会?)主任$|^(?:社区)?主任$")),
)


ROLE_HINT = "该写法不是可享受补助的职务；如属同一职务的其他写法，请在参数表“职务写法对照”中添加"


class RoleMatch(NamedTuple):
    category: str | None
    problem: str | None  # Chinese reason when the post cannot be placed


def clean_post(text: object) -> str:
    """Full-width to half-width, spaces and quotes removed: the form compared."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    return s.strip()


def normalise_role(text: object, categories: Mapping[str, int], aliases: Mapping[str, str] | None = None) -> RoleMatch:
    """Map a post as written to one of the 职务类别 known to 参数."""
    raw = clean_post(text)
    if not raw:
        return RoleMatch(None, "职务为空")
    compact = _NOISE.sub("", re.sub(r"\s+", "", raw))
    for spelling, category in (aliases or {}).items():
        if compact == _NOISE.sub("", re.sub(r"\s+", "", clean_post(spelling))):
            return RoleMatch(category, None)
    if compact in categories:  # the category itself, e.g. 正职
        return RoleMatch(compact, None)
    if "一肩挑" in compact and not any(k in compact for k in ("副书记", "副主任")):
        return _known("一肩挑", categories, raw)
    kinds = set()
    for part in filter(None, _SPLIT.split(_NOISE.sub(" ", raw))):
        kind = _kind_of(part)
        if kind is None:
            return RoleMatch(None, f"职务无法识别：{raw}")
        kinds.add(kind)
    if not kinds:
        return RoleMatch(None, f"职务无法识别：{raw}")
    if SECRETARY in kinds and DIRECTOR in kinds:
        return _known("一肩挑", categories, raw)
    if SECRETARY in kinds or DIRECTOR in kinds:
        return _known("正职", categories, raw)
    if DEPUTY in kinds:
        return _known("副职", categories, raw)
    return _known("监委会主任", categories, raw)


def _kind_of(part: str) -> str | None:
    for kind, pattern in _KINDS:
        if pattern.match(part):
            return kind
    return None


def _known(category: str, categories: Mapping[str, int], raw: str) -> RoleMatch:
    if category not in categories:
        return RoleMatch(None, f"职务“{raw}”属于“{category}”，但参数表未设该类别的月岗位补贴")
    return RoleMatch(category, None)
