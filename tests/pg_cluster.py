"""A throwaway PostgreSQL cluster for the tests: initdb in a temp folder, a free port, fsync off.

As root, initdb and pg_ctl refuse to run, so they run as the ``postgres`` user through runuser.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, if any."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    found = shutil.which("initdb")
    if found:
        candidates.append(found)
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    bin_dir: Path
    data_dir: Path
    port: int
    run_as: list[str]

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *arguments],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c synchronous_commit=off -c full_page_writes=off -k /tmp"
        self._pg_ctl("-o", options, "-l", str(self.data_dir / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster() -> Cluster:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb) on this machine")
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data_dir = Path(tempfile.mkdtemp(prefix="oversight-pg-"))
    if run_as:
        shutil.chown(data_dir, user="postgres", group="postgres")
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres",
         "-A", "trust", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    cluster = Cluster(bin_dir=bin_dir, data_dir=data_dir, port=_free_port(), run_as=run_as)
    cluster.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(cluster.admin_dsn, connect_timeout=2).close()
            return cluster
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def remove_cluster(cluster: Cluster) -> None:
    try:
        cluster.stop()
    finally:
        shutil.rmtree(cluster.data_dir, ignore_errors=True)
