"""Real HTTP servers on 127.0.0.1 that answer like Bitcoin Core, esplora/mempool and Coin Metrics.

Started by the fixtures in ``tests/servers/fixtures.py`` (imported by the test modules
and ``tests/sources/conftest.py``) and by ``benchmarks/bench_sync.py``; no mocks: the
clients under test speak HTTP to them. ``wholechain.py`` serves every height of the
whole-chain benchmark file.
"""
