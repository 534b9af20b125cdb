"""MS-OVBA compression: round trips, a third-party decoder, and Office's own streams."""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from subsidy_xl.addin.ovba_compression import DecompressionError, compress, decompress

XLWINGS_ADDIN = Path(xlwings.__file__).parent / "addin" / "xlwings.xlam"
BOUNDARY_SIZES = [0, 1, 2, 3, 4095, 4096, 4097, 8191, 8192, 8193, 12289]


def _sample(kind: str, size: int) -> bytes:
    rng = random.Random(size)
    if kind == "random":
        return rng.randbytes(size)
    if kind == "zeros":
        return bytes(size)
    if kind == "two_letters":
        return bytes(rng.choice(b"ab") for _ in range(size))
    line = b'    RunPython "import subsidy_xl.excel.macros as m; m.check()"\r\n'
    return (line * (size // len(line) + 1))[:size]


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
@pytest.mark.parametrize("kind", ["random", "zeros", "two_letters", "vba_text"])
def test_round_trip_at_chunk_boundaries(kind: str, size: int) -> None:
    data = _sample(kind, size)
    compressed = compress(data)
    assert decompress(compressed) == data
    # oletools' independent decoder reads the same bytes back.
    assert bytes(decompress_stream(bytearray(compressed))) == data


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=9000))
def test_round_trip_any_bytes(data: bytes) -> None:
    assert decompress(compress(data)) == data


# Repeated fragments: long copy tokens, matches that overlap and cross chunk ends.
repetitive = st.lists(
    st.tuples(st.binary(min_size=1, max_size=64), st.integers(min_value=1, max_value=120)),
    max_size=12,
).map(lambda parts: b"".join(fragment * count for fragment, count in parts))


@settings(max_examples=80, deadline=None)
@given(repetitive)
def test_round_trip_repetitive_data(data: bytes) -> None:
    compressed = compress(data)
    assert decompress(compressed) == data
    assert bytes(decompress_stream(bytearray(compressed))) == data


def test_text_compresses_into_compressed_chunks_only() -> None:
    data = _sample("vba_text", 20000)
    compressed = compress(data)
    assert len(compressed) < len(data) // 4
    position = 1
    while position < len(compressed):
        (header,) = struct.unpack_from("<H", compressed, position)
        assert header & 0x8000, "VBA text must never fall back to a raw chunk"
        position += (header & 0x0FFF) + 3


def test_rejects_bytes_that_are_not_a_container() -> None:
    with pytest.raises(DecompressionError):
        decompress(b"\x00\x01\x02")
    with pytest.raises(DecompressionError):
        decompress(b"\x01\xff\x0f")  # chunk signature bits are not 0b011


def _xlwings_vba_project() -> olefile.OleFileIO:
    with zipfile.ZipFile(XLWINGS_ADDIN) as package:
        return olefile.OleFileIO(package.read("xl/vbaProject.bin"))


def _module_offsets(dir_stream: bytes) -> dict[str, int]:
    """Stream name -> MODULEOFFSET, walking the dir stream's records."""
    offsets, stream_name, position = {}, "", 0
    while position < len(dir_stream):
        record_id, size = struct.unpack_from("<HI", dir_stream, position)
        if record_id == 0x0009:  # PROJECTVERSION: "size" is a constant 4, body is 6 bytes
            size = 6
        body = dir_stream[position + 6 : position + 6 + size]
        if record_id == 0x001A:
            stream_name = body.decode("cp1252")
        elif record_id == 0x0031:
            offsets[stream_name] = struct.unpack("<I", body)[0]
        position += 6 + size
    return offsets


def test_decompresses_office_written_modules_of_xlwings_addin() -> None:
    project = _xlwings_vba_project()
    offsets = _module_offsets(decompress(project.openstream("VBA/dir").read()))
    assert {"Main", "Config", "Dictionary", "ThisWorkbook"} <= offsets.keys()
    for name, offset in offsets.items():
        source = decompress(project.openstream(f"VBA/{name}").read()[offset:])
        assert source.startswith(f'Attribute VB_Name = "{name}"'.encode())


def test_recompressing_office_dir_stream_gives_office_bytes() -> None:
    """Same matching rule as Office (longest match, farthest on ties)."""
    office_bytes = _xlwings_vba_project().openstream("VBA/dir").read()
    assert compress(decompress(office_bytes)) == office_bytes
