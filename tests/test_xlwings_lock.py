"""The xlwings version lock: pinned = installed = embedded; entry points say what to do on a mismatch;
``crm-xl upgrade-macros`` rebuilds a filled register's VBA without touching its data."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import calamine_rows

import xlwings
from crm_xl.excel import entry, vba
from crm_xl.excel.port import RecordingPort
from crm_xl.excel.upgrade import UpgradeRefused, project_modules, upgrade_macros, workbook_xlwings_version
from crm_xl.ports.reader import read_register
from crm_xl.workbook import build_workbook

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 23)
OLD = "0.36.2"


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=300, env=env)


def test_pinned_installed_and_embedded_versions_agree() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"xlwings=={xlwings.__version__}"' in pyproject
    assert vba.pinned_xlwings() == xlwings.__version__ == vba.xlwings_version()
    assert workbook_xlwings_version(ROOT / "workbook" / "crm.xlsm") == xlwings.__version__
    assert vba.xlwings_lock_problems({"crm.xlsm": xlwings.__version__}) == []


def test_lock_problems_say_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vba, "pinned_xlwings", lambda: "0.30.0")
    problems = [en for _, en in vba.xlwings_lock_problems({"workbook/crm.xlsm": OLD})]
    assert f"crm-xl pins xlwings==0.30.0 but {xlwings.__version__} is installed: pip install xlwings==0.30.0" in problems
    assert f"workbook/crm.xlsm embeds xlwings {OLD}, {xlwings.__version__} is installed: run crm-xl build." in problems


@pytest.fixture(scope="module")
def old_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filled register whose VBA embeds an older xlwings (its xlwings.bas with another version)."""
    tmp = tmp_path_factory.mktemp("old")
    text = vba.xlwings_bas_path().read_text(encoding="cp1252").replace(xlwings.__version__, OLD)
    fake = tmp / "xlwings" / "xlwings.bas"
    fake.parent.mkdir()
    fake.write_text(text, encoding="cp1252", newline="")
    (fake.parent / "addin").mkdir()
    (fake.parent / "addin" / "Dictionary.cls").write_bytes(
        (vba.xlwings_bas_path().parent / "addin" / "Dictionary.cls").read_bytes())
    patch = pytest.MonkeyPatch()
    patch.setattr(vba, "xlwings_bas_path", lambda: fake)
    try:
        path = tmp / "客户台账.xlsm"
        build_workbook(path, demo=True, as_of=AS_OF, macros=True)
    finally:
        patch.undo()
    assert workbook_xlwings_version(path) == OLD
    return path


def test_entry_points_say_what_to_do_when_xlwings_differs(old_register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = RecordingPort.from_file(old_register)
    outcome = entry.followups(port, as_of=AS_OF)
    assert outcome.ok and outcome.counts["version_mismatch"] == 1
    text = port.messages[-1][1]
    assert f"xlwings {OLD}" in text and f"xlwings {xlwings.__version__}" in text
    assert f"pip install xlwings=={OLD}" in text
    assert 'crm-xl upgrade-macros "客户台账.xlsm" --out "客户台账-new.xlsm"' in text
    # The same workbook with the running xlwings equal to the embedded one: no notice.
    monkeypatch.setattr(entry, "installed_xlwings", lambda: OLD)
    port = RecordingPort.from_file(old_register)
    assert "version_mismatch" not in entry.followups(port, as_of=AS_OF).counts
    assert "xlwings" not in port.messages[-1][1]


def test_upgrade_macros_rebuilds_the_vba_and_keeps_the_data(old_register: Path, tmp_path: Path) -> None:
    new = tmp_path / "客户台账-new.xlsm"
    before = old_register.read_bytes()
    result = _cli("upgrade-macros", str(old_register), "--out", str(new), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert f"rebuilt for xlwings {xlwings.__version__} (were {OLD})" in result.stdout
    assert old_register.read_bytes() == before  # the input is only read
    assert workbook_xlwings_version(new) == xlwings.__version__
    with zipfile.ZipFile(old_register) as a, zipfile.ZipFile(new) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert sorted(changed) == ["xl/vbaProject.bin", "xl/worksheets/sheet1.xml"]  # the project and the Control sheet
    control = calamine_rows(new, "控制台")
    assert control[2][:2] == ["xlwings", xlwings.__version__]
    old_data, new_data = read_register(old_register), read_register(new)
    for key, frame in old_data.frames.items():
        assert frame.equals(new_data.frames[key]), key
    modules = project_modules(zipfile.ZipFile(new).read("xl/vbaProject.bin"))
    assert modules["Dictionary"][0] == "Class" and "shControl" in modules


def test_upgrade_refuses_to_lose_the_users_vba(old_register: Path, tmp_path: Path) -> None:
    """A module crm-xl did not write would be lost: refused, naming it; the output is not written."""
    own = tmp_path / "own.xlsm"
    with zipfile.ZipFile(old_register) as src:
        names = src.namelist()
        parts = {n: src.read(n) for n in names}
    mine = vba.build_vba_project({**vba.load_macros(ROOT / "macros"), "MyReport": "Sub Mine()\r\nEnd Sub\r\n"},
                                 tmp_path / "mine.bin", [])
    parts["xl/vbaProject.bin"] = mine.read_bytes()
    with zipfile.ZipFile(own, "w") as out:
        for n in names:
            out.writestr(n, parts[n])
    with pytest.raises(UpgradeRefused) as refused:
        upgrade_macros(own, tmp_path / "out.xlsm")
    assert "MyReport" in refused.value.message("en") and "Export File" in refused.value.message("en")
    assert not (tmp_path / "out.xlsm").exists()
    result = _cli("upgrade-macros", str(old_register), "--out", str(old_register))
    # the output guard every command shares: an --out that is the input is refused (exit 2) before any work
    assert result.returncode == 2 and "就是输入文件" in result.stderr
