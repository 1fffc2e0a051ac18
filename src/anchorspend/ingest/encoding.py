"""Find how a text file's bytes were encoded, and hand Polars UTF-8.

The order of belief: a byte-order mark; strict UTF-8 over the *whole* file (an export may carry
its first non-ASCII byte megabytes in); then UTF-8 with stray Windows-1252 bytes, where each
byte that is not UTF-8 is decoded as Windows-1252 and recorded. A file with no valid UTF-8
multi-byte sequence at all is simply Windows-1252. Nothing is ever decoded lossily or as latin-1:
the five bytes Windows-1252 leaves undefined stop the read with the fix (``--encoding``).

Files that are already UTF-8 are validated in chunks and read in place; only the others are
transcoded, chunk by chunk, into a temporary UTF-8 file, so memory stays bounded.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from anchorspend.errors import AnchorspendError, Finding

CHUNK = 16 * 1024 * 1024
DOUBLE_BOM = "ï»¿".encode()  # a UTF-8 BOM decoded as Windows-1252 and encoded again
_STRAY_EXAMPLES = 200  # findings kept per file for stray bytes; the count is always exact


@dataclass(slots=True)
class Decoded:
    """UTF-8 bytes ready for Polars: ``path`` is the original file or a temporary transcode."""

    path: Path
    encoding: str
    temporary: bool
    findings: list[Finding] = field(default_factory=list)

    def cleanup(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)


class _Cp1252Fallback:
    """A codecs error handler: undecodable UTF-8 bytes are read as Windows-1252 and recorded."""

    def __init__(self) -> None:
        self.offsets: list[int] = []
        self.count = 0
        self.base = 0

    def __call__(self, exc: UnicodeError) -> tuple[str, int]:
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        bad = exc.object[exc.start : exc.end]
        try:
            text = bad.decode("cp1252")
        except UnicodeDecodeError:
            raise exc from None
        for i in range(len(bad)):
            self.count += 1
            if len(self.offsets) < _STRAY_EXAMPLES:
                self.offsets.append(self.base + exc.start + i)
        return text, exc.end


def _bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _is_utf8(path: Path) -> tuple[bool, int]:
    """Strictly validate the whole file as UTF-8 without holding it in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            # ASCII is UTF-8: only chunks with other bytes (or after a cut sequence) are decoded
            held = decoder.getstate()[0]  # error offsets count from these held-back bytes
            if not chunk.isascii() or held:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return False, offset - len(held) + exc.start
            offset += len(chunk)
    held = decoder.getstate()[0]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return False, offset - len(held) + exc.start
    return True, -1


def line_of(path: Path, offset: int) -> int:
    """1-based line number of a byte offset (for findings; counts newlines before it)."""
    line = 1
    done = 0
    with path.open("rb") as fh:
        while done < offset and (chunk := fh.read(min(CHUNK, offset - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _transcode(path: Path, encoding: str, errors: str) -> Path:
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    fd, name = tempfile.mkstemp(prefix="anchorspend-", suffix=".utf8.csv")
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink, path.open("rb") as fh:
            handler = _HANDLERS.get(errors)
            done = 0
            while chunk := fh.read(CHUNK):
                if handler is not None:  # the error's offsets count from the decoder's buffer
                    handler.base = _buffer_start(decoder, encoding, done, chunk)
                sink.write(decoder.decode(chunk).encode("utf-8"))
                done += len(chunk)
            if handler is not None:
                handler.base = _buffer_start(decoder, encoding, done, b"")
            sink.write(decoder.decode(b"", final=True).encode("utf-8"))
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


_HANDLERS: dict[str, _Cp1252Fallback] = {}


def _buffer_start(
    decoder: codecs.IncrementalDecoder, encoding: str, done: int, chunk: bytes
) -> int:
    """File offset of the first byte the decoder will look at next: bytes held back from the
    previous chunk (a sequence cut at the chunk's end) come first; a UTF-8 BOM at the very
    start is dropped before decoding."""
    held = decoder.getstate()[0]
    if encoding == "utf-8-sig" and done == 0 and chunk.startswith(codecs.BOM_UTF8):
        return len(codecs.BOM_UTF8)
    return done - len(held)


def decode(path: Path, *, display: str, forced: str | None = None) -> Decoded:
    """Work out the encoding of ``path`` and return UTF-8 bytes for it (see module docstring)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    findings: list[Finding] = []
    if forced:
        try:
            name = codecs.lookup(forced).name
        except LookupError:
            raise AnchorspendError(
                f"unknown encoding {forced!r}",
                path=display,
                hint="--encoding utf-8, utf-8-sig, utf-16, or cp1252 (Windows-1252)",
            ) from None
        if name in ("utf-8",) and _is_utf8(path)[0]:
            return Decoded(path, "utf-8", temporary=False)
        try:
            return Decoded(_transcode(path, name, "strict"), name, temporary=True)
        except UnicodeDecodeError as exc:
            raise AnchorspendError(
                f"the file is not valid {forced}: byte 0x{exc.object[exc.start]:02x} "
                f"cannot be decoded",
                path=display,
                hint="leave out --encoding to let anchorspend detect it, or name another one",
            ) from None

    bom = _bom(head)
    if bom == "utf-16":
        try:
            out = _transcode(path, "utf-16", "strict")
        except UnicodeDecodeError:
            raise AnchorspendError(
                "the file starts with a UTF-16 byte-order mark but is not valid UTF-16",
                path=display,
                hint="--encoding with the file's real encoding",
            ) from None
        return Decoded(out, "utf-16", temporary=True)

    ok, _ = _is_utf8(path)
    if ok:
        encoding = bom or "utf-8"
        if head[len(codecs.BOM_UTF8) if bom else 0 :].startswith(DOUBLE_BOM):
            findings.append(
                Finding(
                    "double-encoded-bom",
                    "the first header starts with a byte-order mark that was encoded twice "
                    "('ï»¿'); it is ignored",
                    "info",
                    path=display,
                    row=1,
                )
            )
        return Decoded(path, encoding, temporary=False, findings=findings)

    handler = _Cp1252Fallback()
    _HANDLERS["anchorspend-cp1252"] = handler
    codecs.register_error("anchorspend-cp1252", handler)
    try:
        out = _transcode(path, "utf-8-sig" if bom else "utf-8", "anchorspend-cp1252")
    except UnicodeDecodeError as exc:
        line = line_of(path, handler.base + exc.start)
        raise AnchorspendError(
            f"line {line}: byte 0x{exc.object[exc.start]:02x} is neither UTF-8 nor Windows-1252",
            path=display,
            hint="--encoding NAME with the file's real encoding (e.g. --encoding utf-16)",
        ) from None
    finally:
        _HANDLERS.pop("anchorspend-cp1252", None)
    # Which reading is it? If every non-ASCII byte was a stray, the file is plain Windows-1252.
    non_ascii = _count_non_ascii(path)
    if non_ascii == handler.count:
        note = Finding(
            "encoding-windows-1252",
            "the file is Windows-1252, not UTF-8; decoded as such (--encoding to override)",
            "info",
            path=display,
        )
        return Decoded(out, "cp1252", temporary=True, findings=[note])
    for off in handler.offsets:
        findings.append(
            Finding(
                "stray-windows-1252-byte",
                "a byte that is not UTF-8 was read as Windows-1252 in an otherwise UTF-8 file",
                "warning",
                path=display,
                row=line_of(path, off),
                value=f"0x{_byte_at(path, off):02x}",
            )
        )
    if handler.count > len(handler.offsets):
        findings.append(
            Finding(
                "stray-windows-1252-byte",
                f"{handler.count} stray Windows-1252 bytes in all; the first "
                f"{len(handler.offsets)} are listed",
                "warning",
                path=display,
            )
        )
    return Decoded(out, "utf-8+cp1252", temporary=True, findings=findings)


def _count_non_ascii(path: Path) -> int:
    total = 0
    ascii_bytes = bytes(range(128))
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            total += len(chunk.translate(None, ascii_bytes))  # what is left is non-ASCII
    return total


def _byte_at(path: Path, offset: int) -> int:
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.read(1)[0]
