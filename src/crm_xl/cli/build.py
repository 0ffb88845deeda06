"""``crm-xl build``: rebuild the committed template workbook(s) in ``workbook/``."""

from __future__ import annotations

from pathlib import Path

import typer

from crm_xl.cli.app import app, fail, handle_errors, say


@app.command("build", help="Rebuild the register template in workbook/ (and check it is current).\n\n"
                           "Example: crm-xl build --dir workbook --check")
@handle_errors()
def build(
    directory: Path = typer.Option(Path("workbook"), "--dir", help="Folder of the built templates."),
    check: bool = typer.Option(False, "--check", help="Only check that the files are current (exit 1 if stale)."),
) -> None:
    from crm_xl.workbook import build_templates

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        built = build_templates(Path(tmp))
        stale = []
        for name, path in built.items():
            target = directory / name
            if check:
                if not target.exists() or target.read_bytes() != path.read_bytes():
                    stale.append(name)
                continue
            from crm_xl.ports.atomic import atomic_path

            with atomic_path(target, backups=0) as out:  # the template is in git: no backups
                out.write_bytes(path.read_bytes())
            say(f"已生成 {target}", f"Built {target}", "en")
        if stale:
            fail(f"stale: {', '.join(stale)} (run crm-xl build)", 1)
        if check:
            say("模板已是最新", "Templates are current", "en")
