"""``minerscope sync --follow`` as a real subprocess: a growing chain, a reorg, a node that
goes away and comes back, then SIGTERM (and SIGINT) for a clean exit 0.

The follower polls every 0.1 s with ``--json`` (one event per line). The test changes the
local Bitcoin Core-like server's chain between polls and waits for the matching lines:
new blocks one by one, a reorg of depth 3 (the fork height, three replaced blocks, then
the three replacements), the node in warm-up (failures, one line each, no exit), the
node back; at the end the database must equal a clean sync of the final chain.
"""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

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

START = 934_500


class Follower:
    """The subprocess and its stdout events, read by a thread (a line never blocks us)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "minerscope", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self.events.put(json.loads(line))

    def next(self, timeout_s: float = 20.0) -> dict[str, Any]:
        return self.events.get(timeout=timeout_s)

    def close(self) -> str:
        """Kill it if it still runs; close the pipes; its stderr."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=20)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return err

    def until(self, kind: str, timeout_s: float = 20.0) -> list[dict[str, Any]]:
        """Events up to and including the next one of ``kind``."""
        out = []
        while not out or out[-1]["event"] != kind:
            out.append(self.next(timeout_s))
        return out


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "MINERSCOPE_CONFIG": str(tmp_path / "no-config.toml")}


def _args(rpc: Running, cookie: Path, db: Path) -> list[str]:
    return ["sync", "--follow", "--interval-s", "0.1", "--url", rpc.url, "--rpc-cookie",
            str(cookie), "--from-height", str(START), "--json", "--db", str(db)]  # fmt: skip


@pytest.mark.slow
def test_follow_a_growing_reorganising_chain_then_sigterm(
    chain: Chain, rpc: Running, cookie_file: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    chain.visible_tip = 934_540
    db = tmp_path / "follow.sqlite"
    f = Follower(_args(rpc, cookie_file, db), env)
    try:
        # catching up: 934,500..934,540 is 41 blocks, more than 25: one line for them
        first = f.next(60)
        assert (first["event"], first["first_height"], first["last_height"]) == (
            "caught_up", START, 934_540)  # fmt: skip
        chain.visible_tip = 934_541
        b = f.next()
        assert (b["event"], b["height"], b["hash"]) == ("block", 934_541, chain.at(934_541).hash)  # type: ignore[union-attr]
        assert b["time_s"] == chain.at(934_541).time  # type: ignore[union-attr]
        chain.visible_tip = 934_543  # two blocks between two polls: two lines, in order
        assert [f.next()["height"], f.next()["height"]] == [934_542, 934_543]
        fork = chain.reorg(3)  # 934,541..934,543 replaced
        assert fork == 934_541
        reorg, *blocks = [f.next() for _ in range(4)]
        assert (reorg["event"], reorg["fork_height"], reorg["blocks_replaced"]) == (
            "reorg", 934_541, 3)  # fmt: skip
        assert [x["hash"] for x in blocks] == [chain.at(h).hash for h in range(934_541, 934_544)]  # type: ignore[union-attr]
        rpc.server.warmup = True  # type: ignore[attr-defined]  # the node restarts
        down = f.next()
        assert down["event"] == "source_down" and "starting up" in down["message"]
        rpc.server.warmup = False  # type: ignore[attr-defined]
        chain.visible_tip = 934_544
        events = f.until("block")
        assert events[-2]["event"] == "source_back" and events[-1]["height"] == 934_544
        assert all(e["event"] == "source_down" for e in events[:-2])  # no exit meanwhile
        f.proc.send_signal(signal.SIGTERM)
        stopped = f.next()
        assert (stopped["event"], stopped["reason"], stopped["tip_height"]) == (
            "stopped", "SIGTERM", 934_544)  # fmt: skip
        assert f.proc.wait(timeout=20) == 0
    finally:
        err = f.close()
    assert "Traceback" not in err
    conn = storage.connect(db)
    try:
        assert dump(conn) == clean_copy(chain, cookie_file, from_height=START)
    finally:
        conn.close()


@pytest.mark.slow
def test_sigint_while_catching_up_keeps_whole_batches(
    chain: Chain, rpc: Running, cookie_file: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    # Every request takes 0.2 s: the signal lands while a batch is on its way.
    rpc.faults.slow, rpc.faults.slow_s = 10_000, 0.2
    db = tmp_path / "interrupted.sqlite"
    args = _args(rpc, cookie_file, db)
    args[args.index("--from-height") + 1] = "930000"
    f = Follower([*args, "--batch-blocks", "100"], env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _stored(db) < 930_199:
            time.sleep(0.05)
        f.proc.send_signal(signal.SIGINT)
        stopped = f.until("stopped")[-1]
        assert stopped["reason"] == "SIGINT"
        assert f.proc.wait(timeout=20) == 0
    finally:
        err = f.close()
    assert "Traceback" not in err
    tip = _stored(db)
    assert 930_199 <= tip < 934_575 and (tip - 930_000 + 1) % 100 == 0  # whole batches
    assert stopped["tip_height"] == tip


def _stored(db: Path) -> int:
    if not db.exists():
        return -1
    try:
        conn = storage.connect(db, read_only=True)
        try:
            return storage.max_block_height(conn) or -1
        finally:
            conn.close()
    except Exception:
        return -1
