"""Writing label and print-queue files whole or not at all, with the permissions the process's umask gives."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

# Read and write for everyone before the umask, as open() and shell redirection create files,
# so a umask of 022 gives 0644 and a spooler or share running as another user can read labels.
FILE_MODE = 0o666


def file_stem(title: str) -> str:
    """Return ``title`` as a file name stem: letters, digits, dots, dashes and underscores only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", title).strip("._") or "label"


def write_file_atomically(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write a file so that a crash leaves either the old file or the whole new one.

    The data goes to a hidden temporary file in the same folder, which then
    replaces ``path``. With ``durable`` the data is flushed to disk (fsync)
    before the rename. Raises OSError (the temporary file is removed).
    """
    # The name is cut so that the temporary name stays within the 255 bytes a file name may have.
    temporary = path.parent / f".writing-{path.name[:100]}.{secrets.token_hex(4)}"
    # NOTE: tempfile.mkstemp would create the file with mode 0600 whatever the umask.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            if durable:
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
