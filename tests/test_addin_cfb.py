"""The compound file writer, read back by olefile in strict mode."""

from __future__ import annotations

import io
import random

import olefile
import pytest

from subsidy_xl.addin.cfb import MINI_SECTOR_SIZE, sibling_order_key, write_compound_file

RED, BLACK = 0, 1  # MS-CFB 2.6.1 colour flag values


def _open(data: bytes) -> olefile.OleFileIO:
    # DEFECT_INCORRECT: olefile raises on anything the spec forbids.
    return olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)


def _streams() -> dict[str, bytes]:
    rng = random.Random(7)
    return {
        "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n',
        "PROJECTwm": b"",
        "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000100"),
        "VBA/dir": rng.randbytes(1500),
        "VBA/Small": rng.randbytes(63),
        "VBA/JustUnderCutoff": rng.randbytes(4095),
        "VBA/AtCutoff": rng.randbytes(4096),
        "VBA/Large": rng.randbytes(20_000),
        "VBA/Nested/Deep": b"deep",
    }


def test_olefile_lists_every_stream_with_its_content() -> None:
    streams = _streams()
    ole = _open(write_compound_file(streams))
    assert {"/".join(path) for path in ole.listdir()} == set(streams)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content, path
    assert ole.get_type("VBA") == olefile.STGTY_STORAGE
    assert ole.get_type("VBA/Nested") == olefile.STGTY_STORAGE


def test_small_streams_live_in_the_mini_stream() -> None:
    streams = _streams()
    ole = _open(write_compound_file(streams))
    small = [c for c in streams.values() if len(c) < 4096]
    padded = sum(-(-len(c) // MINI_SECTOR_SIZE) * MINI_SECTOR_SIZE for c in small)
    assert ole.root.size == padded
    assert ole.minisectorcutoff == 4096


def test_many_fat_sectors_use_the_difat() -> None:
    big = random.Random(1).randbytes(7_500_000)  # needs more than 109 FAT sectors
    ole = _open(write_compound_file({"Big": big, "S/small": b"x"}))
    assert ole.num_difat_sectors >= 1
    assert ole.openstream("Big").read() == big
    assert ole.openstream("S/small").read() == b"x"


def _check_red_black_tree(ole: olefile.OleFileIO, root_sid: int) -> list[str]:
    """Return the in-order names; assert the red-black invariants on the way."""
    entries = ole.direntries
    names: list[str] = []

    def black_height(sid: int, parent_red: bool) -> int:
        if sid == olefile.NOSTREAM:
            return 1
        entry = entries[sid]
        red = entry.color == RED
        assert not (red and parent_red), f"red {entry.name} has a red parent"
        left = black_height(entry.sid_left, red)
        names.append(entry.name)
        right = black_height(entry.sid_right, red)
        assert left == right, f"unequal black heights under {entry.name}"
        return left + (0 if red else 1)

    assert entries[root_sid].color == BLACK
    black_height(root_sid, parent_red=False)
    return names


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 31, 40])
def test_siblings_form_a_valid_red_black_tree_in_spec_order(count: int) -> None:
    rng = random.Random(count)
    names = [
        "".join(rng.choice("abcXYZ_") for _ in range(rng.randint(1, 12))) + str(n)
        for n in range(count)
    ]
    ole = _open(write_compound_file({f"S/{name}": b"." for name in names}))
    storage = next(e for e in ole.direntries if e is not None and e.name == "S")
    in_order = _check_red_black_tree(ole, storage.sid_child)
    assert in_order == sorted(names, key=sibling_order_key)


def test_sibling_order_is_length_first_then_case_insensitive() -> None:
    ordered = sorted(["dir", "Module1", "_VBA_PROJECT", "abc", "ABD", "PROJECTwm"], key=sibling_order_key)
    assert ordered == ["abc", "ABD", "dir", "Module1", "PROJECTwm", "_VBA_PROJECT"]


def test_output_is_deterministic() -> None:
    assert write_compound_file(_streams()) == write_compound_file(_streams())


@pytest.mark.parametrize(
    "streams",
    [{"a:b": b""}, {"x" * 32: b""}, {"A": b"", "a": b""}, {"S": b"", "S/t": b""}],
)
def test_rejects_invalid_names(streams: dict[str, bytes]) -> None:
    with pytest.raises(ValueError):
        write_compound_file(streams)
