"""The typer application and what every command shares: errors, language, atomic output.

Exit codes mean one thing each: 0 done, 1 findings at or above ``--fail-on`` (or another result
the command documents, such as a change without a logged reason), 2 an input that cannot be used
(unreadable, damaged, refused by the safety checks, or an ``--out`` that is an input), 3 a usage
mistake (an unknown option or ID, a bad ``--period`` or date, an existing file without
``--force``, an output folder that is missing or read-only) with a message in the user's
language. Anything else is a bug: one line, the traceback with ``--debug``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import typer
from rich.console import Console
from typer.core import TyperGroup

from crm_xl import __version__
from crm_xl.i18n import UsageError, normalize_lang, pick
from crm_xl.ports.atomic import OutputIsInput, OutputUnwritable, clear_inputs, protect_inputs, refuse_input

try:  # typer ≥ 0.20 vendors click
    from typer._click.exceptions import ClickException, UsageError as ClickUsageError
except ImportError:  # pragma: no cover - older typer with click installed beside it
    from click.exceptions import ClickException, UsageError as ClickUsageError

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2, 3
EXIT_INTERNAL = 70  # a bug (sysexits EX_SOFTWARE): never what bad input or a usage mistake gives


class _Group(TyperGroup):
    """The command group: click's own usage errors (unknown option, missing argument) exit with
    :data:`EXIT_USAGE`, so exit 2 keeps meaning "input unusable"."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except ClickUsageError as exc:
            exc.exit_code = EXIT_USAGE
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ClickUsageError as exc:
            exc.exit_code = EXIT_USAGE
            raise


app = typer.Typer(
    name="crm-xl",
    help="crm-xl — a CRM register for foreign-trade sales teams that lives in an Excel workbook.\n\n"
         "Example: crm-xl demo --out crm-xl-demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=_Group,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

class State:
    debug: bool = False


def _version(value: bool) -> None:
    if value:
        console.print(f"crm-xl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
    backups: int = typer.Option(5, "--backups", min=0, help="Timestamped backups kept when an output file is replaced (0: none)."),
    max_file_mb: int = typer.Option(None, "--max-file-mb", min=1, help="Largest input file read (default 200 MB)."),
    max_uncompressed_mb: int = typer.Option(None, "--max-uncompressed-mb", min=1,
                                            help="Largest uncompressed workbook content read (default 500 MB)."),
    max_cells: int = typer.Option(None, "--max-cells", min=1, help="Most cells read from one workbook (default 10,000,000)."),
) -> None:
    State.debug = debug
    from crm_xl.ports.atomic import set_default_backups

    set_default_backups(backups)
    if max_file_mb or max_uncompressed_mb or max_cells:
        from dataclasses import replace

        from crm_xl.ports.reader import input_limits, set_input_limits

        current = input_limits()
        set_input_limits(replace(
            current,
            max_file_bytes=max_file_mb * 2**20 if max_file_mb else current.max_file_bytes,
            max_uncompressed_bytes=max_uncompressed_mb * 2**20 if max_uncompressed_mb else current.max_uncompressed_bytes,
            max_cells=max_cells or current.max_cells))


def check_early(source) -> None:
    """Start the input-safety check of a register workbook on the second core now, while the
    command imports pandas and the core; the reader waits for its outcome instead of checking the
    file again (:func:`crm_xl.ports.safety.start_check`). Call it before the reader is imported."""
    if not isinstance(source, Path):  # a database URL
        return
    from crm_xl.ports.safety import InputLimits, start_check

    reader = sys.modules.get("crm_xl.ports.reader")  # imported when the root options changed the limits
    start_check(source, reader.input_limits() if reader is not None else InputLimits())


def lang_option(default: str | None = None):
    return typer.Option(default, "--lang", help="Language of messages and outputs: zh-CN, zh-TW or en "
                                               "(default: the workbook's language).")


def register_source(value: str):
    """A reading command's input: a workbook path, or a database URL (``duckdb:///crm.duckdb``,
    ``postgresql://…``) kept as given (``Path`` would fold its ``//``) with its password hidden
    wherever it is shown."""
    from crm_xl.ports.database_url import DatabaseURL, is_database_url

    return DatabaseURL(value) if is_database_url(value) else Path(value)


def source_argument(help: str = "The register workbook (.xlsx/.xlsm) or database URL (duckdb:///crm.duckdb, "
                                "postgresql://…); it is only read."):
    return typer.Argument(..., parser=register_source, metavar="REGISTER", help=help)


def resolve_lang(lang: str | None, fallback: str = "zh-CN") -> str:
    try:
        return normalize_lang(lang) if lang else fallback
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def as_of_date(text: str | None) -> dt.date:
    """``--as-of`` (YYYY-MM-DD; default today); anything else is a usage error."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"日期“{text}”无法识别，请写成 YYYY-MM-DD（如 2026-11-23）",
                         f"cannot read the date “{text}”; write it as YYYY-MM-DD (e.g. 2026-11-23)") from None


def fail(message: str, code: int = EXIT_UNREADABLE) -> None:
    """One line on stderr (never wrapped, control characters shown), then exit ``code``."""
    from crm_xl.ports.sanitize import visible_line

    err_console.print(f"crm-xl: {visible_line(message)}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


# Parameters that name what a command writes (by default); every other path parameter is an input.
OUTPUT_PARAMS = ("out", "output", "log", "save_map", "ics", "split_by_owner", "directory")


def _paths(value) -> list[Path]:
    if isinstance(value, Path):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, Path)]
    return []


def guard_outputs(kwargs: dict, outputs: tuple[str, ...] = OUTPUT_PARAMS) -> None:
    """Before any work: remember the inputs, refuse an output that is one of them (exit 2)."""
    clear_inputs()
    inputs = [p for k, v in kwargs.items() if k not in outputs for p in _paths(v)]
    protect_inputs(*inputs)
    for key in outputs:
        for out in _paths(kwargs.get(key)):
            refuse_input(out)


def handle_errors(lang_of: Callable[[dict], str | None] = lambda kw: kw.get("lang"),
                  outputs: tuple[str, ...] = OUTPUT_PARAMS):
    """Turn library errors into one clear line and their exit code (no traceback unless --debug):
    unusable input → 2, usage mistakes → 3 (module doc). ``outputs`` names the parameters that
    are written; every other path parameter is an input no output may overwrite."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            # imported when a command runs, not at start-up (--help, --version stay fast)
            from crm_xl.ports.errors import UnreadableWorkbook

            try:
                guard_outputs(kwargs, outputs)
                return fn(*args, **kwargs)
            except typer.Exit:
                raise
            except (UnreadableWorkbook, OutputIsInput) as exc:
                lang = _safe_lang(lang_of(kwargs))
                if State.debug:
                    raise
                fail(exc.message(lang))
            except (UsageError, OutputUnwritable) as exc:
                if State.debug:
                    raise
                fail(exc.message(_safe_lang(lang_of(kwargs))), EXIT_USAGE)
            except ClickException as exc:  # typer.BadParameter raised by a command
                if State.debug:
                    raise
                lang = _safe_lang(lang_of(kwargs))
                fail(pick("用法错误：", "usage error: ", lang) + exc.format_message(), EXIT_USAGE)
            except OSError as exc:
                if State.debug:
                    raise
                fail(os_error_message(exc, _safe_lang(lang_of(kwargs))))
            except ValueError as exc:
                if State.debug:
                    raise
                fail(f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # a bug: one clear line, the traceback with --debug
                if State.debug:
                    raise
                fail(pick(f"内部错误 {type(exc).__name__}: {exc}（加 --debug 查看详情）",
                          f"internal error {type(exc).__name__}: {exc} (run with --debug for details)",
                          _safe_lang(lang_of(kwargs))), EXIT_INTERNAL)
            finally:
                clear_inputs()
        return wrapper

    return decorate


def os_error_message(exc: OSError, lang: str) -> str:
    """One line for an operating-system error (disk full, no permission …); the output it was
    writing has been removed by the atomic write."""
    import errno

    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    texts = {
        errno.ENOSPC: ("磁盘空间不足，输出未写入", "the disk is full; the output was not written"),
        errno.EDQUOT: ("磁盘配额已满，输出未写入", "the disk quota is exhausted; the output was not written"),
        errno.EACCES: ("没有权限", "permission denied"),
        errno.EPERM: ("不允许此操作", "operation not permitted"),
        errno.EROFS: ("文件系统只读，输出未写入", "the file system is read-only; the output was not written"),
        errno.ENOTDIR: ("路径中有一段不是文件夹", "a part of the path is not a folder"),
        errno.EISDIR: ("这是一个文件夹，不是文件", "this is a folder, not a file"),
        errno.ENOENT: ("文件或文件夹不存在", "no such file or folder"),
    }
    lead = getattr(exc, "lead", None)  # an OSError of crm-xl's own saying what the user can do (PdfEngineMissing)
    if lead:
        return pick(*lead, lang) + str(exc)
    if exc.errno is None and str(exc):  # raised by crm-xl with a message (LibreOfficeError): that message
        return str(exc) + where
    zh, en = texts.get(exc.errno, (exc.strerror or type(exc).__name__, exc.strerror or type(exc).__name__))
    return pick(zh, en, lang) + where


def _safe_lang(lang: str | None) -> str:
    try:
        return normalize_lang(lang) if lang else "zh-CN"
    except ValueError:
        return "zh-CN"


@contextmanager
def atomic_output(dst: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temp path beside ``dst``; on success it replaces ``dst`` (the old file is kept as a
    timestamped backup, ``--backups`` of them), on failure it is removed and ``dst`` is untouched."""
    from crm_xl.ports.atomic import atomic_path, is_stream

    dst = Path(dst)
    if not is_stream(dst):
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
        except OSError:  # the folder cannot be made: a read-only place, or a file in the way
            raise OutputUnwritable(dst, "missing_dir") from None
    with atomic_path(dst) as tmp:
        yield tmp


# What each kind of command imports after the workbook is read; ``preload`` imports it meanwhile.
VALIDATION_MODULES = ("crm_xl.validation", "phonenumbers", "pycountry", "email_validator", "holidays")
ETS_MODULE = "statsmodels.tsa.exponential_smoothing.ets"
REVIEW_MODULES = (*VALIDATION_MODULES, "crm_xl.review", ETS_MODULE)
FIT_WORKER = "CRM_XL_FIT_WORKER"  # 0: the trend's fits run in the command itself


def start_fitter():
    """Fork the child the trend forecast's ETS fits run in (:mod:`crm_xl.ports.child`), which
    imports statsmodels (and scipy, ≈ 1.5 s of CPU holding the GIL) on the other core while this
    process reads, so this one never imports it; None where no child is used (then the fits run
    here, the same bits). Call it before anything starts a thread; hand it to :func:`fits_in`."""
    from crm_xl.ports import child

    return child.start(_warm_fits, switch=FIT_WORKER)


def _warm_fits() -> None:
    import importlib

    importlib.import_module(ETS_MODULE)
    importlib.import_module("crm_xl.forecast")


def review_modules(fitter) -> tuple[str, ...]:
    """:data:`REVIEW_MODULES` to :func:`preload`, without statsmodels when ``fitter`` has it."""
    return tuple(m for m in REVIEW_MODULES if m != ETS_MODULE) if fitter is not None else REVIEW_MODULES


@contextmanager
def fits_in(fitter) -> Iterator[None]:
    """Within the block the trend's fits run in ``fitter`` (a :func:`start_fitter` child, or None:
    here); the child is ended on leaving."""
    if fitter is None:
        yield
        return
    from crm_xl import forecast

    with fitter:
        forecast.fitter = fitter.call
        try:
            yield
        finally:
            forecast.fitter = None


def preload(modules: tuple[str, ...]) -> None:
    """Import ``modules`` in a background thread while this thread reads the workbook.

    fastexcel parses the file in Rust without holding the GIL, so the second core imports
    statsmodels and the validators (≈ 1 s) during the read instead of after
    it. Call it after the reader is imported (pandas, numpy and pyarrow are then fully loaded, so the
    two threads never import the same package at once). A failed import is left to the command's
    own import, which raises it where it belongs. The thread is a daemon so that a command ending
    early (an unreadable file, exit 2) does not wait for imports it no longer needs.
    """
    import importlib
    import threading

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - reported by the command's own import
                return

    threading.Thread(target=run, name="crm-xl-preload", daemon=True).start()


def say(zh: str, en: str, lang: str) -> None:
    """A line for the user; text from the workbook cannot smuggle terminal control sequences."""
    from crm_xl.ports.sanitize import visible_text

    console.print(visible_text(pick(zh, en, lang)), markup=False, soft_wrap=True)  # never cut a line (logs, grep)


def say_coverage(register, lang: str) -> None:
    """The data-coverage lines of a register read from a file (one per sheet; never silent)."""
    from crm_xl.intake.report import coverage_lines

    for line in coverage_lines(register, lang):
        say("数据覆盖：" + line, "Data coverage: " + line, lang)


def main() -> None:
    import atexit
    import gc

    # pydantic looks for plugins in every installed package's entry points when the first model is
    # built (≈ 40 ms of importlib.metadata); crm-xl uses none. A user's own setting is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # At exit every object is still alive and the interpreter's final collection walks them all
    # (≈ 0.5 s CPU after an analyze at 1k): frozen, they are left to the OS like the rest of the
    # process. atexit runs after the command's own cleanup (temp files, output already closed).
    atexit.register(gc.freeze)
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


def dumps(*args, **kwargs):
    """``crm_xl.contract.dumps``, imported when a command writes JSON (it loads pandas; --help must not)."""
    from crm_xl.contract import dumps as contract_dumps

    return contract_dumps(*args, **kwargs)
