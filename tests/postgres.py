"""A throw-away PostgreSQL cluster for tests: initdb in a temp dir, pg_ctl start on a unix socket
in that dir (no TCP port), password authentication for a ``crm`` user, pg_ctl stop at the end.

PostgreSQL refuses to run as root and CI runs as root: then initdb/pg_ctl run as the ``postgres``
user (``runuser``) in a temp dir it owns. Tests skip with the reason when no PostgreSQL is
installed, unless ``CRM_XL_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it): then they fail.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_ENV = "CRM_XL_REQUIRE_POSTGRES"
USER, PASSWORD, DATABASE = "crm", "s3cret-pw", "crm"


def pg_bin() -> Path | None:
    for name in ("PG_BIN",):
        if os.environ.get(name) and Path(os.environ[name], "initdb").exists():
            return Path(os.environ[name])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def require_pg_bin() -> Path:
    path = pg_bin()
    if path is None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but initdb is not installed")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); set CRM_XL_REQUIRE_POSTGRES=1 to fail instead")
    return path


@dataclass
class Cluster:
    bin: Path
    data: Path
    socket_dir: Path
    port: int = 5432

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def url(self, password: str = PASSWORD, database: str = DATABASE) -> str:
        return f"postgresql://{USER}:{password}@/{database}?host={self.socket_dir}&port={self.port}"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.data / "server.log"),
                  "-o", f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} -p {self.port} "
                        "-c fsync=off -c full_page_writes=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0


def start_cluster() -> tuple[Cluster, Path]:
    bin_dir = require_pg_bin()
    root = Path(tempfile.mkdtemp(prefix="crm-xl-pg-"))
    os.chmod(root, 0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        for p in (root, sock, pwfile):
            os.chown(p, pg.pw_uid, pg.pw_gid)
    cluster = Cluster(bin_dir, data, sock)
    cluster._run("initdb", "-D", str(data), "-U", USER, "--auth=scram-sha-256", f"--pwfile={pwfile}",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
    cluster.start()
    import psycopg

    with psycopg.connect(cluster.url(database="postgres").replace("postgresql://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return cluster, root
