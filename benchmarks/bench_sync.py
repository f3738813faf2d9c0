"""Benchmark: sync the 25,118 reference blocks from local Bitcoin Core- and esplora-like servers.

Run from the repository root::

    python benchmarks/bench_sync.py            # RPC (batched) and esplora, all 25,118 blocks
    python benchmarks/bench_sync.py --quick    # smaller ranges

The servers (``tests/servers``) run in their own process, serving the real blocks of
``../shared/data/blocks_getblockstats_909458_934575.csv``. Each sync runs in a fresh
child process writing a new SQLite file, so its peak resident memory (``ru_maxrss``) is
its own; syncing 2,500, 10,000 and 25,118 blocks shows whether memory stays flat in the
number of blocks. Prints blocks per second (fetch + check + commit) and peak memory.
Target (issue 5): at least 2,000 blocks/s over RPC.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
FIRST, LAST = 909_458, 934_575
PASSWORD = "bench-password"


def _serve(kind: str, q: Any, stop: Any) -> None:
    from tests.servers.chain import Chain, load_blocks
    from tests.servers.esplora import esplora_server
    from tests.servers.rpc import rpc_server

    chain = Chain(load_blocks(DATA))
    ctx = rpc_server(chain, password=PASSWORD) if kind == "rpc" else esplora_server(chain)
    with ctx as srv:
        q.put(srv.url)
        stop.wait()


def _sync(kind: str, url: str, n_blocks: int, batch: int, q: Any) -> None:
    from minerscope import storage
    from minerscope.ingest.sync import sync_blocks
    from minerscope.sources.bitcoind import BitcoindClient, RPCCredentials
    from minerscope.sources.esplora import EsploraClient

    with tempfile.TemporaryDirectory() as tmp:
        conn = storage.connect(Path(tmp) / "bench.sqlite")
        client: Any
        if kind == "rpc":
            creds = RPCCredentials(user="__cookie__", password=PASSWORD)
            client = BitcoindClient(url, credentials=creds, batch_size=batch)
        else:
            client = EsploraClient(url + "/api", concurrency=4)
        lo = LAST - n_blocks + 1
        t0 = time.perf_counter()
        with client:
            s = sync_blocks(conn, client, from_height=lo, batch_blocks=batch)
        dt = time.perf_counter() - t0
        conn.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    q.put((s.blocks_fetched, dt, peak_mib))


def run(kind: str, n_blocks: int, batch: int) -> tuple[int, float, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    stop = ctx.Event()
    server = ctx.Process(target=_serve, args=(kind, q, stop), daemon=True)
    server.start()
    url = q.get(timeout=60)
    child = ctx.Process(target=_sync, args=(kind, url, n_blocks, batch, q))
    child.start()
    result = q.get(timeout=600)
    child.join()
    stop.set()
    server.join(timeout=10)
    return result  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller ranges")
    ap.add_argument("--batch", type=int, default=1000, help="blocks per batch [1000]")
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"reference data not found: {DATA}")
    sizes = [2_500, 10_000] if args.quick else [2_500, 10_000, LAST - FIRST + 1]
    print(f"{'source':<8} {'blocks':>7} {'seconds':>8} {'blocks/s':>9} {'peak MiB':>9}")
    for kind, ns in (("rpc", sizes), ("esplora", sizes[-1:])):
        for n in ns:
            got, dt, peak = run(kind, n, args.batch)
            assert got == n, (got, n)
            print(f"{kind:<8} {n:>7,} {dt:>8.2f} {n / dt:>9,.0f} {peak:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
