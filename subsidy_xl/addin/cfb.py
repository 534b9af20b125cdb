"""A minimal MS-CFB writer: compound file version 3, 512-byte sectors.

Enough for ``vbaProject.bin``: a tree of storages and streams given as paths
(``"VBA/dir"``). Streams under 4096 bytes live in the mini stream (64-byte
mini sectors), larger ones in regular sectors. Sector order in the file:
FAT, DIFAT (only past 109 FAT sectors), directory, MiniFAT, mini stream, then
the large streams. The output is deterministic: no timestamps, no CLSIDs.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
_HEADER_DIFAT_ENTRIES = 109
_IDS_PER_SECTOR = SECTOR_SIZE // 4
_DIR_ENTRY_SIZE = 128
_MAX_NAME_CHARS = 31

_MAXREGSECT = 0xFFFFFFFA
_DIFSECT = 0xFFFFFFFC
_FATSECT = 0xFFFFFFFD
_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_NOSTREAM = 0xFFFFFFFF

_TYPE_EMPTY, _TYPE_STORAGE, _TYPE_STREAM, _TYPE_ROOT = 0, 1, 2, 5
_RED, _BLACK = 0, 1


@dataclass(eq=False)
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    id: int = 0
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = _ENDOFCHAIN
    size: int = 0


def sibling_order_key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4: shorter names first, then a case-insensitive comparison."""
    return len(name.encode("utf-16-le")) // 2, name.upper()


def _build_tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", _TYPE_ROOT)
    for path, data in streams.items():
        *storage_names, stream_name = path.split("/")
        for name in path.split("/"):
            if not name or len(name) > _MAX_NAME_CHARS or any(c in name for c in "\\:!"):
                raise ValueError(f"invalid compound file entry name {name!r} in {path!r}")
        parent = root
        for storage_name in storage_names:
            found = [c for c in parent.children if c.name.upper() == storage_name.upper()]
            if found and found[0].kind != _TYPE_STORAGE:
                raise ValueError(f"{storage_name!r} is both a stream and a storage")
            if not found:
                # Storages have no sectors: start and size stay zero.
                found = [_Entry(storage_name, _TYPE_STORAGE, start=0)]
                parent.children.append(found[0])
            parent = found[0]
        if any(c.name.upper() == stream_name.upper() for c in parent.children):
            raise ValueError(f"duplicate entry {path!r}")
        parent.children.append(_Entry(stream_name, _TYPE_STREAM, data=bytes(data)))
    return root


def _number_entries(root: _Entry) -> list[_Entry]:
    """Breadth-first ids; the root entry is always 0."""
    ordered, queue = [], [root]
    while queue:
        entry = queue.pop(0)
        entry.id = len(ordered)
        ordered.append(entry)
        queue.extend(entry.children)
    return ordered


def _link_siblings(children: list[_Entry]) -> int:
    """Arrange ``children`` as a balanced binary search tree; return its root id.

    Colouring: when the tree is not perfect, the nodes on its deepest level are
    red and all others black. A middle-split tree has all empty links on its two
    deepest levels, so every path holds the same number of black nodes and no
    red node has a red child: a valid red-black tree.
    """
    ordered = sorted(children, key=lambda e: sibling_order_key(e.name))
    depth = len(ordered).bit_length() - 1  # deepest level of a middle-split tree
    perfect = len(ordered) & (len(ordered) + 1) == 0  # 2**k - 1 nodes

    def link(low: int, high: int, level: int) -> int:
        if low > high:
            return _NOSTREAM
        middle = (low + high) // 2
        node = ordered[middle]
        node.left = link(low, middle - 1, level + 1)
        node.right = link(middle + 1, high, level + 1)
        node.color = _RED if level == depth and not perfect else _BLACK
        return node.id

    return link(0, len(ordered) - 1, 0)


def _chain(fat: list[int], first: int, count: int) -> None:
    for index in range(first, first + count - 1):
        fat[index] = index + 1
    fat[first + count - 1] = _ENDOFCHAIN


def _sectors(size: int, sector_size: int) -> int:
    return -(-size // sector_size)


def _pad(data: bytes, sector_size: int) -> bytes:
    return data + b"\0" * (-len(data) % sector_size)


def _directory_entry(entry: _Entry) -> bytes:
    if entry.kind == _TYPE_EMPTY:
        name_bytes, name_length = b"", 0
    else:
        name_bytes = entry.name.encode("utf-16-le") + b"\0\0"
        name_length = len(name_bytes)
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name_bytes,
        name_length,
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        b"\0" * 16,  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modification time
        entry.start,
        entry.size,
    )


def _mini_stream(small: list[_Entry]) -> tuple[bytes, bytes]:
    """Place the small streams in 64-byte mini sectors; return (MiniFAT, mini stream)."""
    mini_fat: list[int] = []
    mini_stream = bytearray()
    for entry in small:
        entry.size = len(entry.data)
        count = _sectors(entry.size, MINI_SECTOR_SIZE)
        if count:
            entry.start = len(mini_fat)
            mini_fat += [0] * count
            _chain(mini_fat, entry.start, count)
            mini_stream += _pad(entry.data, MINI_SECTOR_SIZE)
    mini_fat += [_FREESECT] * (-len(mini_fat) % _IDS_PER_SECTOR)
    return struct.pack(f"<{len(mini_fat)}I", *mini_fat), bytes(mini_stream)


def _fat_and_difat_counts(content_sectors: int) -> tuple[int, int]:
    """Sectors for the FAT and DIFAT, which must also map themselves."""
    fat_count, difat_count = 1, 0
    while True:
        total = fat_count + difat_count + content_sectors
        needed_fat = _sectors(total, _IDS_PER_SECTOR)
        overflow = max(needed_fat - _HEADER_DIFAT_ENTRIES, 0)
        needed_difat = _sectors(overflow, _IDS_PER_SECTOR - 1)  # last id links the next DIFAT sector
        if (needed_fat, needed_difat) == (fat_count, difat_count):
            if total > _MAXREGSECT:
                raise ValueError("compound file too large")
            return fat_count, difat_count
        fat_count, difat_count = needed_fat, needed_difat


def _difat_sectors(fat_sectors: list[int], difat_sectors: list[int]) -> bytes:
    """DIFAT sectors listing the FAT sectors the header's 109 slots cannot hold."""
    out = bytearray()
    overflow = fat_sectors[_HEADER_DIFAT_ENTRIES:]
    per_sector = _IDS_PER_SECTOR - 1
    for index in range(len(difat_sectors)):
        ids = overflow[index * per_sector : (index + 1) * per_sector]
        ids += [_FREESECT] * (per_sector - len(ids))
        following = difat_sectors[index + 1] if index + 1 < len(difat_sectors) else _ENDOFCHAIN
        out += struct.pack(f"<{_IDS_PER_SECTOR}I", *ids, following)
    return bytes(out)


def _header(
    fat_sectors: list[int],
    difat_sectors: list[int],
    directory_start: int,
    mini_fat_start: int,
    mini_fat_count: int,
) -> bytes:
    header_difat = fat_sectors[:_HEADER_DIFAT_ENTRIES]
    header_difat += [_FREESECT] * (_HEADER_DIFAT_ENTRIES - len(header_difat))
    return struct.pack(
        f"<8s16sHHHHH6sIIIIIIIII{_HEADER_DIFAT_ENTRIES}I",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\0" * 16,
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian byte order mark
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        b"\0" * 6,
        0,  # number of directory sectors: must be 0 in version 3
        len(fat_sectors),
        directory_start,
        0,  # transaction signature
        MINI_STREAM_CUTOFF,
        mini_fat_start,
        mini_fat_count,
        difat_sectors[0] if difat_sectors else _ENDOFCHAIN,
        len(difat_sectors),
        *header_difat,
    )


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """Return a compound file holding ``streams`` (path -> content).

    Paths use "/" between storage names; storages are created as needed.
    """
    root = _build_tree(streams)
    entries = _number_entries(root)
    for entry in entries:
        entry.child = _link_siblings(entry.children)
    stream_entries = [e for e in entries if e.kind == _TYPE_STREAM]
    large = [e for e in stream_entries if len(e.data) >= MINI_STREAM_CUTOFF]
    mini_fat, mini_stream = _mini_stream([e for e in stream_entries if len(e.data) < MINI_STREAM_CUTOFF])

    directory_count = _sectors(len(entries) * _DIR_ENTRY_SIZE, SECTOR_SIZE)
    mini_fat_count = len(mini_fat) // SECTOR_SIZE
    mini_stream_count = _sectors(len(mini_stream), SECTOR_SIZE)
    large_counts = [_sectors(len(e.data), SECTOR_SIZE) for e in large]
    fat_count, difat_count = _fat_and_difat_counts(
        directory_count + mini_fat_count + mini_stream_count + sum(large_counts)
    )

    fat = [_FREESECT] * (fat_count * _IDS_PER_SECTOR)
    fat_sectors = list(range(fat_count))
    difat_sectors = list(range(fat_count, fat_count + difat_count))
    for sector in fat_sectors:
        fat[sector] = _FATSECT
    for sector in difat_sectors:
        fat[sector] = _DIFSECT
    next_free = fat_count + difat_count

    def allocate(count: int) -> int:
        nonlocal next_free
        if not count:
            return _ENDOFCHAIN
        first = next_free
        _chain(fat, first, count)
        next_free += count
        return first

    directory_start = allocate(directory_count)
    mini_fat_start = allocate(mini_fat_count)
    root.start, root.size = allocate(mini_stream_count), len(mini_stream)
    for entry, count in zip(large, large_counts):
        entry.start, entry.size = allocate(count), len(entry.data)

    empty = _Entry("", _TYPE_EMPTY, color=_RED, start=0)  # all zero but the links
    unused_slots = directory_count * (SECTOR_SIZE // _DIR_ENTRY_SIZE) - len(entries)
    directory = b"".join(_directory_entry(e) for e in [*entries, *[empty] * unused_slots])
    return b"".join(
        [
            _header(fat_sectors, difat_sectors, directory_start, mini_fat_start, mini_fat_count),
            struct.pack(f"<{len(fat)}I", *fat),
            _difat_sectors(fat_sectors, difat_sectors),
            directory,
            mini_fat,
            _pad(mini_stream, SECTOR_SIZE),
            *(_pad(e.data, SECTOR_SIZE) for e in large),
        ]
    )
