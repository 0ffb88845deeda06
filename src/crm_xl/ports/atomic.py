"""Atomic file output with timestamped backups.

Every file the tool writes goes through :func:`atomic_write` (or :func:`atomic_path`): the new
content is written to a temporary file in the destination's directory and renamed over the
destination with ``os.replace``, so readers see either the old or the new file, never half of one.
When the destination exists, the old version is kept first as ``name.YYYYmmdd-HHMMSS.bak.ext``
(at most ``backups`` of them, the oldest removed); the destination never disappears in between.
If the writer fails, the temporary file is removed and the destination is untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

_STAMP_FORMAT = "%Y%m%d-%H%M%S"

# How many backups an output keeps when no count is given: 5, or the CLI's --backups.
_default_backups = 5


def set_default_backups(count: int) -> None:
    """Change how many backups every later write keeps by default (the CLI's ``--backups``)."""
    global _default_backups
    _default_backups = max(count, 0)


def backup_path(dst: str | os.PathLike[str], when: datetime | None = None) -> Path:
    """``report.xlsx`` → ``report.20261123-140501.bak.xlsx``.

    Several backups within one second get ``-2``, ``-3``… after the stamp, always numbered
    after the newest existing one, so name order is age order.
    """
    p = Path(dst)
    stamp = (when or datetime.now()).strftime(_STAMP_FORMAT)
    taken = [n for s, n in (_backup_key(b.name, p) for b in list_backups(p)) if s == stamp]
    suffix = f"-{max(taken) + 1}" if taken else ""
    return p.with_name(f"{p.stem}.{stamp}{suffix}.bak{p.suffix}")


def _backup_pattern(p: Path) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(p.stem)}\.(\d{{8}}-\d{{6}})(?:-(\d+))?\.bak{re.escape(p.suffix)}$")


def _backup_key(name: str, p: Path) -> tuple[str, int]:
    match = _backup_pattern(p).match(name)
    return (match.group(1), int(match.group(2) or 1)) if match else ("", 0)


def list_backups(dst: str | os.PathLike[str]) -> list[Path]:
    """Backups of ``dst`` in its directory, newest first."""
    p = Path(dst)
    pattern = _backup_pattern(p)
    found = []
    if p.parent.is_dir():
        for entry in p.parent.iterdir():
            match = pattern.match(entry.name)
            if match and entry.is_file():
                found.append(((match.group(1), int(match.group(2) or 1)), entry))
    return [entry for _, entry in sorted(found, reverse=True)]


def prune_backups(dst: str | os.PathLike[str], keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups of ``dst``; return the deleted paths."""
    removed = list_backups(dst)[max(keep, 0):]
    for old in removed:
        old.unlink(missing_ok=True)
    return removed


@contextmanager
def atomic_path(dst: str | os.PathLike[str], backups: int | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on normal exit it replaces ``dst`` atomically.

    ``backups`` is how many timestamped backups of ``dst`` to keep (0: make none and leave
    existing ones alone). On an exception the temporary file is deleted, ``dst`` is untouched
    and the exception propagates.
    """
    backups = _default_backups if backups is None else backups
    target = Path(dst)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}",
                                    dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"the writer removed its temporary file {tmp}")
        _fsync(tmp)
        _copy_mode(target, tmp)
        _replace_with_backup(tmp, target, backups)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(dst: str | os.PathLike[str], writer_fn: Callable[[Path], object],
                 backups: int | None = None) -> Path:
    """Call ``writer_fn(temp_path)`` and move the result onto ``dst``; return ``dst``."""
    with atomic_path(dst, backups=backups) as tmp:
        writer_fn(tmp)
    return Path(dst)


def _replace_with_backup(tmp: Path, target: Path, backups: int) -> None:
    backup: Path | None = None
    if backups > 0 and target.exists():
        backup = backup_path(target)
        try:
            os.link(target, backup)  # the old file stays at ``target`` until the replace
        except OSError:  # file systems without hard links
            shutil.copy2(target, backup)
    try:
        os.replace(tmp, target)
    except BaseException:
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    if backup is not None:
        prune_backups(target, backups)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _copy_mode(target: Path, tmp: Path) -> None:
    """Give the new file the old file's permissions, or the usual umask-based ones."""
    if target.exists():
        mode = target.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
