"""The OLE2 compound file an ``.xls`` workbook is stored in, read the way calamine's ``Cfb``
reads it, with each number the file declares checked before calamine would act on it: the
header, the sector chains (in range, without loops, inside the file), and the Workbook stream.
"""

from __future__ import annotations

import struct

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.sheets import (
    CUT_SHORT,
    password_protected,
    unreadable,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ALLOCATION = 1024**3  # bytes that one header field of a compound file may make calamine reserve

_END = 0xFFFFFFFE  # ENDOFCHAIN
_RESERVED = 0xFFFFFFFA  # sector numbers from here on are markers, not sectors
_DIFSECT = 0xFFFFFFFC


def _u32s(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4])


class Compound:
    """An OLE2 compound file, read the way calamine's ``Cfb`` reads it, with each number checked
    before calamine would act on it. Sectors must lie whole inside the file."""

    def __init__(self, data: bytes, display: str) -> None:
        self.data, self.display = data, display
        if len(data) < 512:
            raise self.damaged("it is shorter than a compound file's 512-byte header")
        self.version, shift, mini_shift = struct.unpack_from("<H2xHH", data, 26)
        if shift not in (9, 12) or mini_shift != 6:
            raise self.damaged("its header declares an impossible sector size")
        self.size = 1 << shift
        header = 512 if shift == 9 else 4096
        self.start = header
        self.count = max(len(data) - header, 0) // self.size  # whole sectors in the file
        dir_len, fat_len, dir_start = struct.unpack_from("<3I", data, 40)
        mini_fat_start, mini_fat_len, difat_start = struct.unpack_from("<3I", data, 60)
        # calamine reserves DIFAT room by a count read across two header fields (bytes 62-65)
        (difat_room,) = struct.unpack_from("<I", data, 62)
        if difat_room * 4 > MAX_ALLOCATION or fat_len > self.count:
            raise self.damaged("its header declares more sectors than the file holds")
        difat = list(_u32s(data[76:512]))
        sector, steps = difat_start, 0
        while sector < _RESERVED:
            difat.extend(_u32s(self.sector(sector)))
            sector = difat.pop()
            steps += 1
            if steps > self.count:
                raise self.damaged("its sector table's chain loops")
        self.fat = _u32s(b"".join(self.sector(s) for s in difat if s < _DIFSECT))
        dirs = self.chain(dir_start, self.fat, self.size, dir_len * self.size)
        self.entries = [self._entry(dirs[i : i + 128]) for i in range(0, len(dirs) - 127, 128)]
        if not self.entries or (self.version != 3 and self.entries[0][1] == _END):
            raise self.damaged("it has no root directory")
        self.mini: bytes = b""
        self.mini_fat: tuple[int, ...] = ()
        if mini_fat_len > 0:
            root = self.entries[0]
            self.mini = self.chain(root[1], self.fat, self.size, root[2])
            self.mini_fat = _u32s(
                self.chain(mini_fat_start, self.fat, self.size, mini_fat_len * self.size)
            )

    def damaged(self, reason: str) -> AnchorspendError:
        return unreadable(self.display, reason, CUT_SHORT, "XLS")

    def sector(self, sector: int) -> bytes:
        if sector >= self.count:
            raise self.damaged("a sector chain points past the end of the file (cut short?)")
        at = self.start + sector * self.size
        return self.data[at : at + self.size]

    def chain(self, first: int, fat: tuple[int, ...], size: int, declared: int) -> bytes:
        """A stream's bytes by its sector chain (``size`` 64 for the mini stream), cut to its
        declared length when it has one, as calamine does; calamine reserves that length first."""
        if declared > len(self.data):
            raise self.damaged(
                f"a stream declares {declared:,} bytes but the whole file has "
                f"{len(self.data):,} (cut short?)"
            )
        parts: list[bytes] = []
        sector = first
        store = self.mini if size == 64 else None
        limit = len(store) // 64 if store is not None else self.count
        while sector != _END:
            if sector >= limit or sector >= len(fat) or len(parts) >= limit:
                raise self.damaged(
                    "a sector chain points past the end of the file, or loops (cut short?)"
                )
            parts.append(
                store[sector * 64 : sector * 64 + 64] if store is not None else self.sector(sector)
            )
            sector = fat[sector]
        data = b"".join(parts)
        return data[:declared] if declared else data

    def _entry(self, raw: bytes) -> tuple[str, int, int]:
        """A directory entry: name, first sector, length (64-bit with 4096-byte sectors)."""
        name = raw[:64].decode("utf-16-le", "replace").split("\0", 1)[0]
        (start,) = struct.unpack_from("<I", raw, 116)
        (length,) = struct.unpack_from("<I" if self.size == 512 else "<Q", raw, 120)
        return name, start, length

    def workbook(self) -> bytes:
        names = [e[0] for e in self.entries]
        found = next((e for e in self.entries if e[0] == "Workbook"), None) or next(
            (e for e in self.entries if e[0] == "Book"), None
        )
        if found is None:
            if "EncryptedPackage" in names:
                raise password_protected(self.display)
            raise unreadable(
                self.display,
                "the compound file holds no Workbook stream (is it another Office document "
                "named .xls?)",
                "check the file; save it from Excel as .xlsx or export CSV",
                "XLS",
            )
        _, first, length = found
        if length < 4096:
            return self.chain(first, self.mini_fat, 64, length)
        return self.chain(first, self.fat, self.size, length)
