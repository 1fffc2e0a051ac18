"""``files.write_replacing``: the old file or the new one, never a part of one, and nothing left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anchorspend.files import write_replacing


def test_replaces_the_file_with_a_plain_writes_permissions(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text("old\n", encoding="utf-8")
    plain = tmp_path / "plain"
    plain.write_text("", encoding="utf-8")
    write_replacing(path, lambda tmp: tmp.write_text("new\n", encoding="utf-8"))
    assert (path.read_text(encoding="utf-8"), sorted(os.listdir(tmp_path))) == (
        "new\n",
        ["plain", "store.json"],
    )
    assert path.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "postcodes.parquet"
    path.write_bytes(b"old")

    def half(tmp: Path) -> None:
        tmp.write_bytes(b"ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_replacing(path, half)
    assert (path.read_bytes(), sorted(os.listdir(tmp_path))) == (b"old", ["postcodes.parquet"])
