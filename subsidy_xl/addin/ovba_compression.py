"""MS-OVBA 2.4.1 compression: the run-length/LZ77 scheme of VBA streams.

A CompressedContainer is the signature byte 0x01 followed by chunks. Each chunk
encodes up to 4096 bytes of the input behind a 2-byte header; inside it, token
sequences are a flag byte plus up to eight tokens, each a literal byte or a
2-byte copy token whose offset/length bit split grows with the position in the
chunk (MS-OVBA 2.4.1.3.19.1).
"""

from __future__ import annotations

import struct

CHUNK_SIZE = 4096
_SIGNATURE = 0x01
_CHUNK_SIGNATURE = 0b011 << 12
_COMPRESSED_FLAG = 0x8000
_RAW_CHUNK_HEADER = _CHUNK_SIGNATURE | (CHUNK_SIZE - 1)
# Header size field is the chunk's byte count minus 3; a chunk never exceeds 4098.
_MAX_CHUNK_BYTES = CHUNK_SIZE + 2
_MIN_MATCH = 3


class DecompressionError(ValueError):
    """The bytes are not a valid MS-OVBA CompressedContainer."""


def _copy_token_bit_count(position_in_chunk: int) -> int:
    """Bits used for the offset: ceil(log2(position)), at least 4 (2.4.1.3.19.1)."""
    return max((position_in_chunk - 1).bit_length(), 4)


def _match_length(data: bytes, candidate: int, current: int, limit: int) -> int:
    """Length of the common run at ``candidate`` and ``current``, at most ``limit``.

    Compares the input itself, so overlapping runs (a copy that reads bytes it
    has just written) come out right. Binary search keeps the work in C.
    """
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if data[candidate : candidate + middle] == data[current : current + middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _longest_match(
    data: bytes, chunk_start: int, current: int, end: int, candidates: list[int]
) -> tuple[int, int]:
    """Return (offset, length) of the longest earlier match in the chunk.

    Lengths are compared before clamping them to the copy token's maximum
    (MS-OVBA 2.4.1.3.19.4) and ties go to the farthest candidate: that way the
    output is byte for byte what Office writes (tests check a real dir stream).
    """
    limit = end - current
    best_length, best_offset = 0, 0
    for candidate in candidates:  # farthest first
        probe = best_length + 1
        if probe > limit:
            break
        if data[candidate : candidate + probe] == data[current : current + probe]:
            best_length = _match_length(data, candidate, current, limit)
            best_offset = current - candidate
    max_length = (0xFFFF >> _copy_token_bit_count(current - chunk_start)) + _MIN_MATCH
    return best_offset, min(best_length, max_length)


def _compress_chunk(data: bytes, chunk_start: int, chunk_end: int) -> bytes:
    """Token sequences for one chunk (without header)."""
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    current = chunk_start

    def remember(position: int) -> None:
        if position + _MIN_MATCH <= chunk_end:
            seen.setdefault(data[position : position + _MIN_MATCH], []).append(position)

    while current < chunk_end:
        flag_index = len(out)
        out.append(0)
        for bit in range(8):
            if current >= chunk_end:
                break
            candidates = seen.get(data[current : current + _MIN_MATCH], [])
            offset, length = _longest_match(data, chunk_start, current, chunk_end, candidates)
            if length >= _MIN_MATCH:
                bit_count = _copy_token_bit_count(current - chunk_start)
                token = ((offset - 1) << (16 - bit_count)) | (length - _MIN_MATCH)
                out += struct.pack("<H", token)
                out[flag_index] |= 1 << bit
            else:
                length = 1
                out.append(data[current])
            for position in range(current, current + length):
                remember(position)
            current += length
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer."""
    out = bytearray([_SIGNATURE])
    for chunk_start in range(0, len(data), CHUNK_SIZE):
        chunk_end = min(chunk_start + CHUNK_SIZE, len(data))
        tokens = _compress_chunk(data, chunk_start, chunk_end)
        if len(tokens) + 2 <= _MAX_CHUNK_BYTES:
            header = _COMPRESSED_FLAG | _CHUNK_SIGNATURE | (len(tokens) + 2 - 3)
            out += struct.pack("<H", header) + tokens
        else:
            # Incompressible: store raw. The spec pads a short final raw chunk to
            # 4096 bytes, which would lengthen the data, so it is stored unpadded
            # (readers such as oletools stop at the container's end). Real source
            # code is far from this case; the add-in tests assert no raw chunks.
            out += struct.pack("<H", _RAW_CHUNK_HEADER) + data[chunk_start:chunk_end]
    return bytes(out)


def _decompress_tokens(container: bytes, start: int, end: int, out: bytearray) -> None:
    chunk_start = len(out)
    position = start
    while position < end:
        flags = container[position]
        position += 1
        for bit in range(8):
            if position >= end:
                break
            if not flags & (1 << bit):
                out.append(container[position])
                position += 1
                continue
            if position + 2 > end:
                raise DecompressionError("truncated copy token")
            (token,) = struct.unpack_from("<H", container, position)
            position += 2
            bit_count = _copy_token_bit_count(len(out) - chunk_start)
            length = (token & (0xFFFF >> bit_count)) + _MIN_MATCH
            offset = (token >> (16 - bit_count)) + 1
            source = len(out) - offset
            if source < chunk_start:
                raise DecompressionError("copy token points before its chunk")
            for index in range(length):
                out.append(out[source + index])


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer."""
    if not container or container[0] != _SIGNATURE:
        raise DecompressionError("missing CompressedContainer signature 0x01")
    out = bytearray()
    position = 1
    while position < len(container):
        if position + 2 > len(container):
            raise DecompressionError("truncated chunk header")
        (header,) = struct.unpack_from("<H", container, position)
        if header & 0x7000 != _CHUNK_SIGNATURE:
            raise DecompressionError(f"bad chunk signature at byte {position}")
        chunk_end = min(position + (header & 0x0FFF) + 3, len(container))
        position += 2
        if header & _COMPRESSED_FLAG:
            _decompress_tokens(container, position, chunk_end, out)
            position = chunk_end
        else:
            raw_end = min(position + CHUNK_SIZE, len(container))
            out += container[position:raw_end]
            position = raw_end
    return bytes(out)
