"""Find how a text file's bytes were encoded, and hand Polars UTF-8.

The order of belief: a byte-order mark; strict UTF-8 over the *whole* file (an export may carry
its first non-ASCII byte megabytes in); then UTF-8 with stray Windows-1252 bytes, where each
byte that is not UTF-8 is decoded as Windows-1252 and recorded. A file with no valid UTF-8
multi-byte sequence at all is simply Windows-1252. Nothing is ever decoded lossily or as latin-1:
the five bytes Windows-1252 leaves undefined stop the read with the fix (``--encoding``).

Files that are already UTF-8 are validated in chunks and read in place; only the others are
transcoded, chunk by chunk, into a temporary UTF-8 file, so memory stays bounded.

Polars knows two line ends, LF and CR LF. A CR alone (classic Mac exports, and exports that mix
all three) is turned into LF on the way (:mod:`anchorspend.ingest.lineends`): the transcoding
copy does it as it writes, and a UTF-8 file is copied only when the pass that validates it has
met a lone CR. CR LF stays one line end, so line numbers are the ones an editor shows.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from anchorspend.errors import AnchorspendError, Finding
from anchorspend.findings import make
from anchorspend.ingest.lineends import LineEnds, LoneCr

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


def _is_utf8(path: Path, lone_cr: LoneCr | None = None) -> tuple[bool, int]:
    """Strictly validate the whole file as UTF-8 without holding it in memory; ``lone_cr``
    looks for a CR not followed by LF on the way (complete only when the file is UTF-8)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if lone_cr is not None:
                lone_cr.feed(chunk)
            # ASCII is UTF-8: only chunks with other bytes (or after a cut sequence) are decoded
            held = decoder.getstate()[0]  # error offsets count from these held-back bytes
            if not chunk.isascii() or held:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return False, offset - len(held) + exc.start
            offset += len(chunk)
    if lone_cr is not None:
        lone_cr.finish()
    held = decoder.getstate()[0]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return False, offset - len(held) + exc.start
    return True, -1


def line_of(path: Path, offset: int) -> int:
    """1-based line number of a byte offset (for findings): line ends before it, where CR LF,
    a lone CR and a lone LF each end a line."""
    ends = LineEnds()
    done = 0
    with path.open("rb") as fh:
        while done < offset and (chunk := fh.read(min(CHUNK, offset - done))):
            ends.count(chunk)
            done += len(chunk)
    return 1 + ends.breaks


def _transcode(path: Path, encoding: str, errors: str, ends: LineEnds) -> Path:
    """A temporary UTF-8 copy of ``path``, each lone CR written as LF (counted in ``ends``)."""
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
                sink.write(ends.convert(decoder.decode(chunk).encode("utf-8")))
                done += len(chunk)
            if handler is not None:
                handler.base = _buffer_start(decoder, encoding, done, b"")
            sink.write(ends.convert(decoder.decode(b"", final=True).encode("utf-8")))
            sink.write(ends.finish())
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def _lone_cr_to_lf(path: Path, ends: LineEnds) -> Path:
    """A temporary copy of the UTF-8 file ``path`` with each lone CR written as LF."""
    fd, name = tempfile.mkstemp(prefix="anchorspend-", suffix=".lf.csv")
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink, path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                sink.write(ends.convert(chunk))
            sink.write(ends.finish())
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def _in_utf8(
    path: Path, encoding: str, lone_cr: LoneCr, ends: LineEnds, findings: list[Finding]
) -> Decoded:
    """A UTF-8 file as it is, or, where it holds a lone CR, a copy with LF for each (the copy
    counts its line ends in ``ends``)."""
    if not lone_cr.found:
        return Decoded(path, encoding, temporary=False, findings=findings)
    return Decoded(_lone_cr_to_lf(path, ends), encoding, temporary=True, findings=findings)


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
    """Work out the encoding of ``path`` and return UTF-8 bytes for it, with LF for each lone
    CR (see module docstring); a file with lone CRs gets a finding that says so."""
    ends = LineEnds()
    decoded = _decode(path, display, forced, ends)
    if (note := ends.finding(display)) is not None:
        decoded.findings.append(note)
    return decoded


def _decode(path: Path, display: str, forced: str | None, ends: LineEnds) -> Decoded:
    """:func:`decode`; ``ends`` counts the line ends of the file's one full pass."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if forced:
        return _forced(path, display, forced, ends)
    bom = _bom(head)
    if bom == "utf-16":
        return _utf16(path, display, ends)
    ok, _ = _is_utf8(path, lone_cr := LoneCr())
    if ok:
        findings: list[Finding] = []
        if head[len(codecs.BOM_UTF8) if bom else 0 :].startswith(DOUBLE_BOM):
            findings.append(make("double-encoded-bom", path=display, row=1))
        return _in_utf8(path, bom or "utf-8", lone_cr, ends, findings)
    return _with_strays(path, display, bom, ends)


def _forced(path: Path, display: str, forced: str, ends: LineEnds) -> Decoded:
    """The file read in the encoding the user named (``--encoding``), strictly."""
    try:
        name = codecs.lookup(forced).name
    except LookupError:
        raise AnchorspendError(
            f"unknown encoding {forced!r}",
            path=display,
            hint="--encoding utf-8, utf-8-sig, utf-16, or cp1252 (Windows-1252)",
        ) from None
    if name == "utf-8" and _is_utf8(path, lone_cr := LoneCr())[0]:
        return _in_utf8(path, "utf-8", lone_cr, ends, [])
    try:
        return Decoded(_transcode(path, name, "strict", ends), name, temporary=True)
    except UnicodeDecodeError as exc:
        raise AnchorspendError(
            f"the file is not valid {forced}: byte 0x{exc.object[exc.start]:02x} cannot be decoded",
            path=display,
            hint="leave out --encoding to let anchorspend detect it, or name another one",
        ) from None


def _utf16(path: Path, display: str, ends: LineEnds) -> Decoded:
    """A file that starts with a UTF-16 byte-order mark, which must then be UTF-16 throughout."""
    try:
        out = _transcode(path, "utf-16", "strict", ends)
    except UnicodeDecodeError:
        raise AnchorspendError(
            "the file starts with a UTF-16 byte-order mark but is not valid UTF-16",
            path=display,
            hint="--encoding with the file's real encoding",
        ) from None
    return Decoded(out, "utf-16", temporary=True)


def _with_strays(path: Path, display: str, bom: str | None, ends: LineEnds) -> Decoded:
    """A file that is not strict UTF-8: UTF-8 with stray Windows-1252 bytes (each a finding), or
    plain Windows-1252 (one finding for the file)."""
    handler = _Cp1252Fallback()
    _HANDLERS["anchorspend-cp1252"] = handler
    codecs.register_error("anchorspend-cp1252", handler)
    try:
        out = _transcode(path, "utf-8-sig" if bom else "utf-8", "anchorspend-cp1252", ends)
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
    # So it is where the UTF-8 reading would give C1 control characters (bytes C2 80–9F, as
    # 'Â' and a Windows-1252 dash or quote are written): text never holds those.
    non_ascii = _count_non_ascii(path)
    if non_ascii != handler.count and _holds_c1(path):
        try:
            plain = _transcode(path, "cp1252", "strict", LineEnds())
        except UnicodeDecodeError:
            pass
        else:
            out.unlink(missing_ok=True)
            out, non_ascii = plain, handler.count
    if non_ascii == handler.count:
        note = make("encoding-windows-1252", path=display)
        return Decoded(out, "cp1252", temporary=True, findings=[note])
    findings = _stray_findings(path, display, handler)
    return Decoded(out, "utf-8+cp1252", temporary=True, findings=findings)


def _stray_findings(path: Path, display: str, handler: _Cp1252Fallback) -> list[Finding]:
    """A finding for each stray byte ``handler`` kept, by line, and one for the rest."""
    findings = [
        make(
            "stray-windows-1252-byte",
            path=display,
            row=line_of(path, off),
            value=f"0x{_byte_at(path, off):02x}",
        )
        for off in handler.offsets
    ]
    if handler.count > len(handler.offsets):
        findings.append(
            make(
                "stray-windows-1252-byte",
                "more",
                path=display,
                count=handler.count,
                listed=len(handler.offsets),
            )
        )
    return findings


_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _holds_c1(path: Path) -> bool:
    """Whether the bytes hold a UTF-8 C1 control character (C2 80–9F)."""
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if _C1.search(last + chunk):
                return True
            last = chunk[-1:]
    return False


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
