"""An esplora / mempool.space-like REST server under ``/api``.

Routes (esplora ``API.md``; mempool.space/docs/api/rest): ``/api/blocks/tip/height`` and
``/api/block-height/:h`` (plain text), ``/api/block/:hash`` (esplora block JSON),
``/api/v1/blocks/:height`` (mempool: the 15 blocks from ``height`` down, with
``extras.totalFees``, ``extras.reward``, ``extras.pool`` and the coinbase fields), and
``/api/block/:hash/txs/0`` (the coinbase only: see ``coinbase.py``). With ``mempool=False``
the ``/v1`` routes answer 404, like a plain esplora server; with ``prefix=""`` the routes
are at the root, like electrs. Below the reference blocks, the first and last block of
every epoch are served too (``Chain.sparse_at``), so epoch bits can be fetched.
"""

from __future__ import annotations

from typing import Any

from .base import BROKEN_PREV_HASH, Handler, serve
from .chain import Block, Chain
from .coinbase import coinbase_of, esplora_tx, mempool_extras
from .rpc import DIFF1_TARGET, _target

PAGE = 15


def block_json(
    b: Block, broken: int | None, *, extras: bool, chain: Chain | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": b.hash,
        "height": b.height,
        "version": 0x20000000,
        "timestamp": b.time,
        "tx_count": b.txs,
        "size": b.total_size,
        "weight": b.total_weight,
        "merkle_root": "ab" * 32,
        "previousblockhash": None  # esplora sends null for genesis
        if b.height == 0
        else BROKEN_PREV_HASH
        if b.height == broken
        else b.prev_hash,
        "mediantime": b.mediantime,
        "nonce": 0,
        "bits": b.bits,
        "difficulty": DIFF1_TARGET / _target(b.bits),
    }
    if extras:
        ex = dict(b.extra)
        out["extras"] = {
            "totalFees": b.totalfee,
            "medianFee": ex["medianfee"],
            "feeRange": [ex["minfeerate"], ex["maxfeerate"]],
            "reward": b.subsidy + b.totalfee,
            "pool": {"id": 0, "name": "Unknown", "slug": "unknown"},
            "avgFee": ex["avgfee"],
            "avgFeeRate": ex["avgfeerate"],
        }
        out["extras"].update(mempool_extras(coinbase_of(chain, b)))  # pools: coinbase fields
    return out


class EsploraHandler(Handler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.common_faults():
            return
        chain: Chain = self.server.chain  # type: ignore[attr-defined]
        broken = self.server.faults.broken_link_height
        path = self.path.split("?")[0]
        prefix = self.server.prefix + "/"  # type: ignore[attr-defined]
        if not path.startswith(prefix):
            self.send_body(404, b"Not Found", "text/plain")
            return
        parts = path[len(prefix) :].split("/")
        if parts == ["blocks", "tip", "height"]:
            self.send_body(200, str(chain.tip).encode(), "text/plain")
            return
        if len(parts) == 2 and parts[0] == "block-height" and parts[1].isdigit():
            b = chain.at(int(parts[1])) or chain.sparse_at(int(parts[1]))
            if b is None:
                self.send_body(404, b"Block not found", "text/plain")
            else:
                self.send_body(200, b.hash.encode(), "text/plain")
            return
        if len(parts) == 2 and parts[0] == "block":
            b = chain.find(parts[1]) or chain.sparse_find(parts[1])
            if b is None:
                self.send_body(404, b"Block not found", "text/plain")
            else:
                self.send_json(200, block_json(b, broken, extras=False))
            return
        if len(parts) in (3, 4) and parts[0] == "block" and parts[2] == "txs":
            b = chain.find(parts[1])  # the coinbase first (pools), the page truncated to it
            if b is None or (len(parts) == 4 and parts[3] != "0"):
                self.send_body(404, b"Block not found", "text/plain")
            else:
                self.send_json(200, [esplora_tx(coinbase_of(chain, b), b)])
            return
        if len(parts) == 3 and parts[:2] == ["v1", "blocks"] and parts[2].isdigit():
            if not self.server.mempool:  # type: ignore[attr-defined]
                self.send_body(404, b"Not Found", "text/plain")
                return
            top = min(int(parts[2]), chain.tip)
            page = []
            for h in range(top, top - PAGE, -1):
                b = chain.at(h)
                if b is None:
                    break
                page.append(block_json(b, broken, extras=True, chain=chain))
            self.send_json(200, page)
            return
        self.send_body(404, b"Not Found", "text/plain")


def esplora_server(chain: Chain, *, mempool: bool = True, prefix: str = "/api") -> Any:
    """Context manager: a running esplora (``mempool=True``: mempool) server; URL + ``prefix``.

    ``prefix=""`` serves the routes at the root, as electrs does (``http://127.0.0.1:3002``).
    """
    return serve(EsploraHandler, chain=chain, mempool=mempool, prefix=prefix)
