"""Atomic file output with timestamped backups; outputs never destroy anything.

Every file the tool writes goes through :func:`atomic_write` (or :func:`atomic_path`): the new
content is written to a temporary file in the destination's directory and renamed over the
destination with ``os.replace``, so readers see either the old or the new file, never half of one
— two writers of the same output each rename a whole file of their own, and a writer killed
mid-write leaves the previous output as it was. When the destination is a regular file, the old
version is kept first as ``name.YYYYmmdd-HHMMSS.bak.ext`` (at most ``backups`` of them, the
oldest removed); the destination never disappears in between. If the writer fails, the temporary
file is removed and the destination is untouched.

Only regular files are replaced. An output that is a character device (``/dev/null``, a
terminal), a FIFO, ``-`` or ``/dev/stdout`` is written in place — the finished content is
streamed into it; nothing is renamed over it and no backup is made. An output that resolves to
one of the command's inputs (same path after symlinks, or the same inode) is refused with
:class:`OutputIsInput` (exit 2) before any work; a directory that is missing or not writable is
an :class:`OutputUnwritable` with a clear message.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
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


# -------------------------------------------------------------------------------- guards
STDOUT_NAMES = ("-", "/dev/stdout")


class OutputIsInput(ValueError):
    """``--out`` resolves to one of the command's inputs: refused before any work (exit 2)."""

    def __init__(self, output: str | os.PathLike[str], source: str | os.PathLike[str]) -> None:
        self.output, self.source = Path(output), Path(source)
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh-CN") -> str:
        from crm_xl.i18n import pick

        same = self.output if str(self.output) == str(self.source) else f"{self.output} = {self.source}"
        return pick(f"输出文件 {same} 就是输入文件，已拒绝：输入文件不会被覆盖，请换一个输出文件名",
                    f"the output {same} is the input file; refused: an input is never overwritten, "
                    "choose another output name", lang)


class OutputUnwritable(OSError):
    """The output cannot be written where asked: a missing or read-only folder, or a folder."""

    def __init__(self, output: str | os.PathLike[str], reason: str) -> None:
        self.output, self.reason = Path(output), reason
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh-CN") -> str:
        from crm_xl.i18n import pick

        folder = self.output.parent if str(self.output.parent) else Path(".")
        texts = {
            "missing_dir": (f"无法写入 {self.output}：文件夹 {folder} 不存在",
                            f"cannot write {self.output}: the folder {folder} does not exist"),
            "read_only": (f"无法写入 {self.output}：没有文件夹 {folder} 的写入权限（只读）",
                          f"cannot write {self.output}: the folder {folder} is not writable (read-only)"),
            "is_directory": (f"无法写入 {self.output}：这是一个文件夹，请给出文件名",
                             f"cannot write {self.output}: it is a folder; give a file name"),
        }
        zh, en = texts.get(self.reason, (f"无法写入 {self.output}", f"cannot write {self.output}"))
        return pick(zh, en, lang)


def is_stream(dst: str | os.PathLike[str]) -> bool:
    """True for ``-``, ``/dev/stdout`` and an existing character device or FIFO: written in place."""
    if str(dst) in STDOUT_NAMES:
        return True
    try:
        mode = os.stat(dst).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file: the same path after symlinks, or the same inode."""
    try:
        if os.path.realpath(a) == os.path.realpath(b):
            return True
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


# Inputs of the running command: an output that is one of them is refused (see refuse_input).
_inputs: list[Path] = []


def protect_inputs(*paths: str | os.PathLike[str]) -> None:
    """Remember the command's input files; :func:`atomic_path` refuses to write over one."""
    for p in paths:
        if p is not None and str(p) not in STDOUT_NAMES and os.path.isfile(p):
            _inputs.append(Path(p))


def clear_inputs() -> None:
    _inputs.clear()


def refuse_input(dst: str | os.PathLike[str], inputs=None) -> None:
    """Raise :class:`OutputIsInput` when ``dst`` (or, for a folder, nothing) is one of the inputs."""
    if str(dst) in STDOUT_NAMES:
        return
    for src in (_inputs if inputs is None else inputs):
        if src is not None and same_file(dst, src):
            raise OutputIsInput(dst, src)


def check_writable(dst: str | os.PathLike[str]) -> None:
    """Raise :class:`OutputUnwritable` when ``dst`` cannot be created as a file where asked."""
    target = Path(dst)
    if target.is_dir():
        raise OutputUnwritable(target, "is_directory")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputUnwritable(target, "missing_dir")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputUnwritable(target, "read_only")


@contextmanager
def _in_place(target: Path) -> Iterator[Path]:
    """Write to a private temp file, then stream the finished content into ``target`` (stdout, a
    device or a FIFO) without renaming anything."""
    with tempfile.TemporaryDirectory(prefix="crm-xl-out-") as folder:
        tmp = Path(folder) / f"output{target.suffix}"
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"the writer removed its temporary file {tmp}")
        with open(tmp, "rb") as src:
            if str(target) in STDOUT_NAMES:
                sys.stdout.flush()
                out = getattr(sys.stdout, "buffer", None)
                if out is None:  # a text-only stdout (a test runner): decode as UTF-8
                    sys.stdout.write(src.read().decode("utf-8", "replace"))
                else:
                    shutil.copyfileobj(src, out)
                    out.flush()
            else:
                with open(target, "wb") as dst:  # a device or FIFO: opened, never replaced
                    shutil.copyfileobj(src, dst)


@contextmanager
def atomic_path(dst: str | os.PathLike[str], backups: int | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on normal exit it replaces ``dst`` atomically.

    ``backups`` is how many timestamped backups of ``dst`` to keep (0: make none and leave
    existing ones alone). On an exception the temporary file is deleted, ``dst`` is untouched
    and the exception propagates. A stream (``-``, ``/dev/stdout``, a device, a FIFO) is written
    in place; an output that is one of the command's inputs is refused (module doc).
    """
    backups = _default_backups if backups is None else backups
    target = Path(dst)
    refuse_input(target)
    if is_stream(target):
        with _in_place(target) as tmp:
            yield tmp
        return
    if target.is_symlink() and os.path.isfile(target):  # replace the file the link names, not the link
        target = Path(os.path.realpath(target))
    check_writable(target)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}",
                                        dir=directory)
    except OSError:  # a read-only file system, a folder that takes no new files (/proc) …
        raise OutputUnwritable(target, "read_only") from None
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
    if backups > 0 and target.is_file():  # backups only of regular files
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
    if target.is_file():
        mode = target.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
