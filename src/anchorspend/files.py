"""One file replaced atomically: readers see the old file or the new one, never a part of one.

(A set of outputs replaced together, with a listing and signal handling, is
:func:`anchorspend.outputs.write_atomically`.)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_replacing(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a fresh temporary file beside ``path`` (``.<name>.<random>.tmp``), then
    move it over ``path`` with ``os.replace``. The file gets the permissions a plain write would
    (the umask's), and the temporary file is removed if ``write`` fails."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide it from other readers
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
