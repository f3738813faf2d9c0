"""``minerscope sync`` killed with SIGKILL at random points and re-run converges.

The command runs as a subprocess (``python -m minerscope sync``) against a real local
Bitcoin Core-like server. Each run is killed once the database holds a height drawn
from a seeded generator, plus a random delay of up to 50 ms (so kills land inside and
between batch transactions); after the second kill the server's chain reorganises
(depth 100), so later runs must also repair. A last run completes, and its database
must equal one from a clean, uninterrupted sync of the final chain.
"""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from minerscope import storage
from tests.servers.base import Running
from tests.servers.chain import Chain
from tests.servers.fixtures import (  # noqa: F401
    chain,
    clean_copy,
    cookie_file,
    dump,
    ref_blocks,
    rpc,
)

FROM, TO = 929_000, 934_575  # 5,576 blocks
KILLS = 5


def _stored_tip(db: Path) -> int:
    if not db.exists():
        return -1
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            row = conn.execute("SELECT MAX(height) FROM blocks").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return -1
    return -1 if row is None or row[0] is None else int(row[0])


def _command(url: str, cookie: Path, db: Path) -> list[str]:
    return [
        sys.executable, "-m", "minerscope", "sync", "--source", "rpc", "--url", url,
        "--rpc-cookie", str(cookie), "--from-height", str(FROM), "--to-height", str(TO),
        "--batch-blocks", "100", "--db", str(db), "--json",
    ]  # fmt: skip


@pytest.mark.slow
def test_killed_sync_converges(
    chain: Chain, rpc: Running, cookie_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "killed.sqlite"
    rng = random.Random(20260123)
    env = {**os.environ, "MINERSCOPE_CONFIG": str(tmp_path / "no-config.toml")}
    partial = []
    for i in range(KILLS):
        if i == 2:
            chain.reorg(100)
        target = rng.randint(FROM + 200, TO - 200)
        proc = subprocess.Popen(
            _command(rpc.url, cookie_file, db),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if _stored_tip(db) >= target:
                time.sleep(rng.uniform(0.0, 0.05))
                break
            time.sleep(0.01)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        tip = _stored_tip(db)
        partial.append(tip)
    # most runs must really have been cut short, or the test proves nothing
    assert sum(FROM <= t < TO for t in partial) >= 3, partial
    done = subprocess.run(
        _command(rpc.url, cookie_file, db), capture_output=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    conn = storage.connect(db)
    try:
        assert dump(conn) == clean_copy(chain, cookie_file, from_height=FROM)
    finally:
        conn.close()
