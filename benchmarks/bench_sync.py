"""Benchmark: block sync speed and memory, on a whole chain and on the reference blocks.

Run from the repository root::

    python benchmarks/bench_sync.py                 # whole chain: 500,000..934,575 over RPC
    python benchmarks/bench_sync.py --reference     # the 25,118 real blocks, RPC and esplora
    python benchmarks/bench_sync.py --quick         # whole chain, 500,000..649,999 only

Whole chain (issue 9 item 6): a Bitcoin Core-like server (``tests/servers/rpc.py`` over
``tests/servers/wholechain.py``) serves every height of
``benchmarks/.cache/wholechain_blockstats_0_934575.csv`` (built by ``wholechain.py``) with
linked headers. A database holding blocks 0..499,999 (synced once from the same server
and cached in ``benchmarks/.cache/``) is copied, and blocks 500,000..934,575 are synced
into the copy. Prints blocks/s for every 50,000-block slice (flat is the goal; target at
least 12,000 blocks/s), the overall rate, the WAL size at the end and the peak resident
memory of the syncing process.

Reference: syncs the 25,118 blocks of ``../shared/data/blocks_getblockstats_909458_934575.csv``
from the RPC and esplora-like servers into a new file (2,500, 10,000 and 25,118 blocks,
to show memory stays flat).

Each server and each sync runs in its own process, so the client's peak memory
(``ru_maxrss``) is its own. Timings depend on the machine: on a shared one, say so.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
DATA = REPO.parent / "shared" / "data"
CACHE = REPO / "benchmarks" / ".cache"
FIRST, LAST = 909_458, 934_575
BASE_TOP = 499_999  # the database the whole-chain sync starts from holds 0..499,999
SLICE = 50_000
PASSWORD = "bench-password"


def _serve(kind: str, pipe: Any) -> None:
    from tests.servers.esplora import esplora_server
    from tests.servers.rpc import rpc_server

    chain: Any
    if kind == "wholechain":
        from tests.servers.wholechain import WholeChain

        from wholechain import wholechain_blockstats

        chain = WholeChain(wholechain_blockstats(), DATA / "difficulty_epochs_electrum.csv")
    else:
        from tests.servers.chain import Chain, load_blocks, load_sparse

        blocks = load_blocks(DATA)
        chain = Chain(blocks, sparse=load_sparse(DATA, blocks[0].height))
    ctx = esplora_server(chain) if kind == "esplora" else rpc_server(chain, password=PASSWORD)
    with ctx as srv:
        pipe.send(srv.url)
        while pipe.recv() == "cpu":  # anything else: stop
            pipe.send(_cpu_s())


def _cpu_s() -> float:
    """CPU time (user + system) of this process so far. [s]"""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _client(kind: str, url: str, batch: int) -> Any:
    from minerscope.sources.bitcoind import BitcoindClient, RPCCredentials
    from minerscope.sources.esplora import EsploraClient

    if kind == "esplora":
        return EsploraClient(url + "/api", concurrency=4)
    creds = RPCCredentials(user="__cookie__", password=PASSWORD)
    return BitcoindClient(url, credentials=creds, batch_size=batch)


def _sync(kind: str, url: str, db: str, lo: int, hi: int, batch: int, q: Any) -> None:
    from minerscope import storage
    from minerscope.ingest.sync import sync_blocks

    marks: list[tuple[int, float]] = []
    t0 = time.perf_counter()

    def progress(done: int, total: int, height: int) -> None:
        marks.append((height, time.perf_counter() - t0))

    conn = storage.connect(db)
    cpu0 = _cpu_s()
    with _client(kind, url, batch) as client:
        s = sync_blocks(
            conn, client, from_height=lo, to_height=hi, batch_blocks=batch, progress=progress
        )
    dt = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    conn.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    q.put((s.blocks_fetched, dt, peak_mib, marks, cpu))


class _Server:
    """A server process; ``cpu_s()`` asks it for its CPU time so far."""

    def __init__(self, kind: str) -> None:
        ctx = mp.get_context("spawn")
        self.pipe, child_end = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(kind, child_end), daemon=True)
        self.proc.start()
        if not self.pipe.poll(300):
            raise RuntimeError("the server did not start")
        self.url: str = self.pipe.recv()

    def cpu_s(self) -> float:
        self.pipe.send("cpu")
        return float(self.pipe.recv())

    def stop(self) -> None:
        self.pipe.send("stop")
        self.proc.join(timeout=10)


def _run_sync(kind: str, url: str, db: Path, lo: int, hi: int, batch: int) -> Any:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    child = ctx.Process(target=_sync, args=(kind, url, str(db), lo, hi, batch, q))
    child.start()
    result = q.get(timeout=3600)
    child.join()
    return result


def _slices(marks: list[tuple[int, float]], lo: int) -> list[tuple[int, int, float]]:
    """(first height, last height, blocks/s) for each SLICE-block slice of the progress."""
    out = []
    start_h, start_t = lo - 1, 0.0
    for h, t in marks:
        if h - start_h >= SLICE or h == marks[-1][0]:
            out.append((start_h + 1, h, (h - start_h) / (t - start_t)))
            start_h, start_t = h, t
    return out


def _report(got: int, dt: float, cpu: float, server_cpu: float, peak: float) -> str:
    return (
        f"{got:,} blocks in {dt:.1f} s: {got / dt:,.0f} blocks/s; CPU per block: client"
        f" {cpu / got * 1e6:.0f} us, server {server_cpu / got * 1e6:.0f} us; peak RSS"
        f" {peak:.1f} MiB"
    )


def wholechain(top: int, batch: int) -> None:
    server = _Server("wholechain")
    try:
        CACHE.mkdir(exist_ok=True)
        base = CACHE / f"sync_base_0_{BASE_TOP}.sqlite"
        if not base.exists():
            print(f"building the base database (0..{BASE_TOP:,}) once ...", file=sys.stderr)
            tmp = base.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)
            got, dt, _, _, _ = _run_sync("rpc", server.url, tmp, 0, BASE_TOP, batch)
            print(f"  {got:,} blocks in {dt:.1f} s ({got / dt:,.0f} blocks/s)", file=sys.stderr)
            tmp.replace(base)
        with tempfile.TemporaryDirectory() as d:
            db = Path(d) / "bench.sqlite"
            shutil.copyfile(base, db)
            s0 = server.cpu_s()
            got, dt, peak, marks, cpu = _run_sync("rpc", server.url, db, BASE_TOP + 1, top, batch)
            s_cpu = server.cpu_s() - s0
        print(f"rpc sync {BASE_TOP + 1:,}..{top:,} onto a database holding 0..{BASE_TOP:,}"
              f" (batches of {batch:,})")  # fmt: skip
        print(f"{'heights':>17} {'blocks/s':>9}")
        for a, b, rate in _slices(marks, BASE_TOP + 1):
            print(f"{a:>8,}..{b:<8,} {rate:>9,.0f}")
        print("total " + _report(got, dt, cpu, s_cpu, peak))
    finally:
        server.stop()


def reference(batch: int) -> None:
    sizes = [2_500, 10_000, LAST - FIRST + 1]
    for kind, ns in (("rpc", sizes), ("esplora", sizes[-1:])):
        server = _Server(kind)
        try:
            for n in ns:
                with tempfile.TemporaryDirectory() as d:
                    db = Path(d) / "bench.sqlite"
                    s0 = server.cpu_s()
                    got, dt, peak, _, cpu = _run_sync(
                        kind, server.url, db, LAST - n + 1, LAST, batch
                    )
                    s_cpu = server.cpu_s() - s0
                assert got == n, (got, n)
                print(f"{kind:<8} " + _report(got, dt, cpu, s_cpu, peak), flush=True)
        finally:
            server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", action="store_true", help="the 25,118 real blocks instead")
    ap.add_argument("--quick", action="store_true", help="whole chain up to 649,999 only")
    ap.add_argument("--batch", type=int, default=1000, help="blocks per batch [1000]")
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"reference data not found: {DATA}")
    if args.reference:
        reference(args.batch)
    else:
        wholechain(649_999 if args.quick else LAST, args.batch)


if __name__ == "__main__":
    main()
