"""Safe file primitives: atomic writes, private directories, advisory locks.

Every file ssoenv writes goes through :func:`atomic_write`: a temporary file in the same
directory, fsync, then rename over the target, so a reader sees the old or the new content
and never a torn one, whatever happens to the writer.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ssoenv.errors import SsoenvError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) if missing; every directory ssoenv creates is 0700,
    whatever the umask (``mkdir``'s mode is masked by it, so the mode is set afterwards)."""
    if path.is_dir():
        return
    missing: list[Path] = []
    walk = path
    while not walk.is_dir():
        missing.append(walk)
        if walk.parent == walk:
            break
        walk = walk.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            if not directory.is_dir():
                raise SsoenvError(
                    f"cannot create directory {directory}: a file is in the way", hint=f"move {directory} away"
                ) from None
            continue  # created meanwhile by another process
        except OSError as exc:
            raise SsoenvError(f"cannot create directory {directory}: {exc.strerror}") from exc
        with contextlib.suppress(OSError):
            os.chmod(directory, PRIVATE_DIR_MODE)


def atomic_write(path: Path, data: bytes, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically (temp file + fsync + rename).

    ``mode`` is applied to the new file before it becomes visible. Parent directories that
    do not exist are created 0700.
    """
    import tempfile

    parent = path.parent
    ensure_private_dir(parent)
    if path.is_dir() and not path.is_symlink():
        raise SsoenvError(
            f"cannot write {path}: a directory is in its place", hint=f"remove that directory: rm -r '{path}'"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_bytes_or_none(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist (or is not a regular file)."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


@contextlib.contextmanager
def file_lock(path: Path, *, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created 0600) for the ``with`` block.

    The lock file is never deleted (deleting it would let two processes lock two different
    inodes). Waits up to ``timeout`` seconds, then raises SsoenvError.
    """
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise SsoenvError(
                        f"timed out waiting for the lock {path}",
                        hint="another ssoenv process holds it; try again",
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
