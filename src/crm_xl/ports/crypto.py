"""Password encryption of workbooks (Excel-compatible), with msoffcrypto-tool.

Encryption writes ECMA-376 *agile* encryption (AES-256, SHA-512), what Excel 2010+ writes for
"Encrypt with password": Excel, LibreOffice and WPS open the result after asking for the password.
Decryption reads agile and standard OOXML encryption and the RC4/XOR encryption of .xls files.

Passwords come from the caller (``--password``) or the environment variable ``CRM_XL_PASSWORD``
(:func:`password_from_env`); they are never stored. Errors are :class:`UnreadableWorkbook` with
reason ``password_required``, ``wrong_password`` or ``unsupported_encryption``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Mapping

from crm_xl.ports.atomic import atomic_write
from crm_xl.ports.safety import InputLimits, UnreadableWorkbook, check_input, check_package

PASSWORD_ENV = "CRM_XL_PASSWORD"
# Excel encrypts "read-only recommended"/protected .xls files with this fixed password and opens
# them without asking; a reader may try it when the user gave none.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"


def password_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """The password in ``CRM_XL_PASSWORD``, or None when unset or empty."""
    value = (os.environ if env is None else env).get(PASSWORD_ENV, "")
    return value or None


def resolve_password(password: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """An explicit password wins over the environment variable."""
    return password if password else password_from_env(env)


def is_encrypted(path: str | os.PathLike[str]) -> bool:
    """True for a password-encrypted OOXML package or a .xls with a FILEPASS record.

    Sheet/workbook *protection* (editing locks) is not encryption and gives False.
    """
    import msoffcrypto  # msoffcrypto and olefile are imported only where a file is encrypted or decrypted
    import olefile

    p = Path(path)
    try:
        with open(p, "rb") as fh:
            if not olefile.isOleFile(fh):
                return False
            fh.seek(0)
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # unreadable or not an Office file: not something we can decrypt
        return False


def decrypt_to_bytes(path: str | os.PathLike[str], password: str | None,
                     limits: InputLimits = InputLimits()) -> io.BytesIO:
    """Decrypt an encrypted workbook into memory for a reader (the file is not touched).

    ``password`` falls back to ``CRM_XL_PASSWORD``. With neither, Excel's built-in default password is tried (files Excel opens without
    asking); if that fails, ``password_required``. The decrypted package goes through
    :func:`check_package`, so a bomb inside an encrypted file is refused too.
    """
    from msoffcrypto import exceptions as mso_errors

    p = Path(path)
    size = p.stat().st_size if p.is_file() else 0
    if size > limits.max_file_bytes:
        check_input(p, limits)  # raises file_too_large with the usual message
    office = _open_encrypted(p)
    password = resolve_password(password)
    candidates = [password] if password else [EXCEL_DEFAULT_PASSWORD]
    for candidate in candidates:
        out = io.BytesIO()
        try:
            office.load_key(password=candidate, **_verify_kwargs(office))
            office.decrypt(out)
        except mso_errors.InvalidKeyError:
            continue
        except (mso_errors.DecryptionError, mso_errors.ParseError, NotImplementedError) as exc:
            raise UnreadableWorkbook(p, "unsupported_encryption", str(exc)) from None
        except Exception as exc:  # malformed encryption headers, truncated streams …
            raise UnreadableWorkbook(p, "corrupt_file", f"{type(exc).__name__}: {exc}") from None
        out.seek(0)
        check_package(out, p, limits)
        return out
    if password:
        raise UnreadableWorkbook(p, "wrong_password")
    raise UnreadableWorkbook(p, "password_required")


def decrypt_workbook(src: str | os.PathLike[str], dst: str | os.PathLike[str],
                     password: str | None, backups: int | None = None,
                     limits: InputLimits = InputLimits()) -> Path:
    """Write a decrypted copy of ``src`` to ``dst`` (atomically, old ``dst`` backed up)."""
    src_path, dst_path = _distinct(src, dst)
    data = decrypt_to_bytes(src_path, resolve_password(password), limits)
    atomic_write(dst_path, lambda tmp: tmp.write_bytes(data.getvalue()), backups=backups)
    return dst_path


def encrypt_workbook(src: str | os.PathLike[str], dst: str | os.PathLike[str],
                     password: str | None, backups: int | None = None,
                     limits: InputLimits = InputLimits()) -> Path:
    """Write a password-encrypted copy of an OOXML workbook (xlsx/xlsm/xlsb) to ``dst``.

    ``src`` is checked with :func:`check_input` first (bombs, already-encrypted files and
    non-OOXML files are refused) and never modified.
    """
    src_path, dst_path = _distinct(src, dst)
    password = resolve_password(password)
    if not password:
        raise UnreadableWorkbook(src_path, "password_required", "no password to encrypt with")
    if is_encrypted(src_path):
        raise UnreadableWorkbook(src_path, "already_encrypted")
    info = check_input(src_path, limits)
    if info.kind not in ("xlsx", "xlsm", "xlsb", "xltx", "xltm"):
        raise UnreadableWorkbook(src_path, "unsupported_encryption",
                                 f"only OOXML workbooks can be encrypted, not {info.kind}")
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(src_path, "rb") as fh:
        try:
            office = OOXMLFile(fh)
            office.encrypt(password, out)
        except Exception as exc:  # EncryptionError, FileFormatError
            raise UnreadableWorkbook(src_path, "unsupported_encryption",
                                     f"{type(exc).__name__}: {exc}") from None
    atomic_write(dst_path, lambda tmp: tmp.write_bytes(out.getvalue()), backups=backups)
    return dst_path


def _open_encrypted(p: Path):
    """An msoffcrypto file object for an encrypted workbook, or UnreadableWorkbook."""
    import msoffcrypto
    import olefile

    if not p.is_file():
        check_input(p)  # file_missing / not_a_file
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadableWorkbook(p, "permission_denied", str(exc)) from None
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception as exc:
        raise UnreadableWorkbook(p, "not_a_spreadsheet" if not olefile.isOleFile(data)
                                 else "corrupt_file", f"{type(exc).__name__}: {exc}") from None
    if not encrypted:
        _not_encrypted(p)
    return office


def _not_encrypted(p: Path):
    raise UnreadableWorkbook(p, "not_encrypted")


def _verify_kwargs(office) -> dict:
    """OOXML files verify the password before decrypting; .xls files always do."""
    return {"verify_password": True} if getattr(office, "format", "") == "ooxml" else {}


def _distinct(src, dst) -> tuple[Path, Path]:
    src_path, dst_path = Path(src), Path(dst)
    if dst_path.exists() and src_path.exists() and dst_path.resolve() == src_path.resolve():
        raise ValueError("the output must be a different file: the input workbook is never "
                         "written")
    return src_path, dst_path
