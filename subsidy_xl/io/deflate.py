"""Deflating big rewritten parts: a sheet's rows compressed on the worker thread while they are rendered,
as segments of one deflate stream; the part as the editor rewrote it."""
from __future__ import annotations

import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor


# Parts larger than this (the big sheets) are deflated at level 1, which on
# sheet XML is several times faster than level 6 for a somewhat larger file
# (figures: benchmarks/io_bench.py); smaller parts keep zlib's default level.
FAST_DEFLATE_MIN_BYTES = 1 << 20
FAST_DEFLATE_LEVEL = 1
DEFAULT_DEFLATE_LEVEL = 6

# The editor's worker thread (reads started by prefetch, deflates started by _set_sheet_part) must stay ONE
# thread: RowsDeflater relies on its tasks running one at a time in the order submitted (its compress calls
# feed one zlib stream, and its _join, queued last, uses the futures queued before it). More threads would
# write a corrupt sheet, not a faster one.
WORKER_THREADS = 1


class Rewritten:
    """A part as the editor rewrote it: the pieces it is made of, in order, and for a big sheet its deflate
    started on the worker thread (bytes and CRC), which save() writes instead of deflating the pieces.

    A big sheet's pieces are never joined into one bytes object unless asked: a 100 MB bytes object costs
    more in fresh pages than its copying does.
    """

    __slots__ = ("pieces", "size", "deflating")

    def __init__(self, pieces: list[bytes], deflating: Future[tuple[bytes, int]] | None = None) -> None:
        self.pieces = pieces
        self.size = sum(map(len, pieces))
        self.deflating = deflating

    def data(self) -> bytes:
        """The part's bytes (a part of one piece is that piece, not a copy)."""
        return b"".join(self.pieces)


class RowsDeflater:
    """Deflates a big sheet's rows on the worker thread while the next rows are still being rendered.

    The sheet is head + rows + tail, and the head (its <dimension>) is known only once every row is,
    so the rows are deflated as one segment and head and tail as two more. Each segment but the last
    ends with a sync flush (byte-aligned, not final), which makes the three, one after the other, a
    single valid deflate stream (as pigz writes them). A sheet that stays under
    FAST_DEFLATE_MIN_BYTES is left to save(), at the default level.
    """

    def __init__(self, worker: Callable[[], ThreadPoolExecutor]) -> None:
        assert WORKER_THREADS == 1, "the rows' compress calls and _join must run in order, on one thread"
        self._worker = worker
        self._pending: list[bytes] = []  # blocks not yet handed to the worker
        self._size = 0
        self._rows: zlib._Compress | None = None  # the rows' compressor, used on the worker only
        self._parts: list[Future[bytes]] = []

    def add(self, block: bytes) -> None:
        self._pending.append(block)
        self._size += len(block)
        if self._size >= FAST_DEFLATE_MIN_BYTES:
            if self._rows is None:
                self._rows = zlib.compressobj(FAST_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            self._parts += [self._worker().submit(self._rows.compress, pending) for pending in self._pending]
            self._pending = []

    def finish(self, pieces: list[bytes]) -> Future[tuple[bytes, int]] | None:
        """The deflated bytes and CRC of the sheet, given as [head, the blocks added ..., tail]; None when
        it is small."""
        if self._rows is None:
            return None
        self.add(b"")  # the blocks still pending go to the worker
        return self._worker().submit(self._join, pieces)

    def _join(self, pieces: list[bytes]) -> tuple[bytes, int]:
        first = zlib.compressobj(FAST_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        last = zlib.compressobj(FAST_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        rows = b"".join(part.result() for part in self._parts) + self._rows.flush(zlib.Z_SYNC_FLUSH)
        deflated = (first.compress(pieces[0]) + first.flush(zlib.Z_SYNC_FLUSH) + rows
                    + last.compress(pieces[-1]) + last.flush())
        return deflated, crc_of(pieces)


def deflate_pieces(pieces: list[bytes], level: int) -> tuple[bytes, int]:
    """Raw deflate stream and CRC-32 of the pieces one after the other, as a zip member holds them."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = b"".join([compressor.compress(piece) for piece in pieces])
    return deflated + compressor.flush(), crc_of(pieces)


def crc_of(pieces: list[bytes]) -> int:
    crc = 0
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
    return crc
