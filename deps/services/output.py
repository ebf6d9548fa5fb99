"""Safe output paths: every command that writes a file goes through :func:`write_atomically`.

Rules, checked before anything is computed (:func:`check_output`) and again when the file is written:

* the target must be a regular file or not exist yet: a folder, a device (``/dev/full``, ``/dev/sda``), a FIFO or a
  socket is refused with a message, also behind a symbolic link;
* an existing file is replaced only with ``force`` (``--force`` on the command line);
* the folder must exist (it is not created: a typo in a path should not create a tree of folders);
* the data goes to a temporary file in the same folder, is flushed to disk, and is renamed over the target with
  :func:`os.replace`, so a reader never sees half a file and a crash leaves the old file (or none).  Without
  ``force`` the rename is a hard link, which fails if another process created the target in the meantime.

Files are written with mode 0600 (readable by their owner only): exports and reports may carry a marking.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from deps.errors import OutputPathError

__all__ = ["check_output", "check_output_folder", "write_atomically"]


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_output(path: Path, *, force: bool) -> Path:
    """Raise :class:`OutputPathError` unless ``path`` may be written (see the module rules); returns ``path``."""
    try:
        info = path.stat()  # follows a symbolic link to what it points at
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputPathError(f"cannot use {path} as output: {exc.strerror}") from exc
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputPathError(f"{path} is {_describe(info.st_mode)}, not a file: give the name of a file to write")
    if info is not None and not force:
        raise OutputPathError(f"{path} exists: choose another name, or add --force to replace it")
    folder = path.parent
    if not folder.is_dir():
        raise OutputPathError(f"the folder {folder} does not exist: create it first or choose another path")
    return path


def check_output_folder(folder: Path) -> Path:
    """Raise :class:`OutputPathError` unless ``folder`` is a folder or can be created as one (its parent exists)."""
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{folder} exists and is not a folder: give a folder for the output files")
    if not folder.exists() and not folder.parent.is_dir():
        raise OutputPathError(f"the folder {folder.parent} does not exist: create it first or choose another path")
    return folder


def write_atomically(path: Path, data: bytes, *, force: bool) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder (mode 0600); returns ``path``."""
    check_output(path, force=force)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o600)
        check_output(path, force=force)  # again: the target may have changed while the data was computed
        if force:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)
            except FileExistsError as exc:
                raise OutputPathError(f"{path} exists: choose another name, or add --force to replace it") from exc
            except OSError:  # a file system without hard links
                check_output(path, force=False)
                os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return path
