"""A Bitcoin Core-like JSON-RPC server (HTTP Basic auth: cookie or rpcuser/rpcpassword).

Answers like Core's ``src/httprpc.cpp``: a single request gets HTTP 200 with
``{"result", "error": null, "id"}`` or, on an RPC error, HTTP 500 (404 for an unknown
method) with the error object; a batch (JSON array) gets HTTP 200 and one reply per
request; wrong credentials get HTTP 401 with an empty body. ``warmup`` makes every call
fail with -28 "Loading block index…", like a starting node.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from .base import BROKEN_PREV_HASH, Handler, QuietServer, Running, serve
from .chain import Block, Chain
from .coinbase import coinbase_of, rpc_tx, txid

DIFF1_TARGET = 0x00000000FFFF0000000000000000000000000000000000000000000000000000


class RPCServer(QuietServer):
    chain: Chain
    auth_header: str
    warmup: bool = False


class _RPCError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _target(bits: int) -> int:
    return (bits & 0x007FFFFF) << (8 * ((bits >> 24) - 3))


def header_json(b: Block, chain: Chain, broken: int | None) -> dict[str, Any]:
    nxt = chain.next_hash(b.height)
    out: dict[str, Any] = {
        "hash": b.hash,
        "confirmations": chain.tip - b.height + 1,
        "height": b.height,
        "version": 0x20000000,
        "versionHex": "20000000",
        "merkleroot": hashlib.sha256(b.hash.encode()).hexdigest(),
        "time": b.time,
        "mediantime": b.mediantime,
        "nonce": 0,
        "bits": f"{b.bits:08x}",
        "difficulty": DIFF1_TARGET / _target(b.bits),
        "chainwork": f"{b.chainwork:064x}",
        "nTx": b.txs,
    }
    if b.height > 0:  # Core omits it for genesis
        out["previousblockhash"] = BROKEN_PREV_HASH if b.height == broken else b.prev_hash
    if nxt is not None:
        out["nextblockhash"] = nxt
    return out


def stats_json(b: Block, fields: list[str] | None) -> dict[str, Any]:
    extra = dict(b.extra)
    full: dict[str, Any] = {
        "avgfee": extra["avgfee"],
        "avgfeerate": extra["avgfeerate"],
        "blockhash": b.hash,
        "height": b.height,
        "ins": b.ins,
        "maxfeerate": extra["maxfeerate"],
        "medianfee": extra["medianfee"],
        "mediantime": b.mediantime,
        "minfeerate": extra["minfeerate"],
        "outs": b.outs,
        "subsidy": b.subsidy,
        "swtxs": extra["swtxs"],
        "time": b.time,
        "total_out": b.total_out,
        "total_size": b.total_size,
        "total_weight": b.total_weight,
        "totalfee": b.totalfee,
        "txs": b.txs,
    }
    if fields:
        for f in fields:
            if f not in full:
                raise _RPCError(-8, f"Invalid selected statistic '{f}'")
        return {f: full[f] for f in fields}
    return full


def _flat_json(d: dict[str, Any]) -> str:
    """JSON text of a flat dict of ints, floats, strings and None (faster than json.dumps
    for the thousands of small objects a batch answer holds)."""
    parts = []
    for k, v in d.items():
        t = type(v)
        if t is int or t is float:
            parts.append(f'"{k}":{v!r}')
        elif t is str and '"' not in v and "\\" not in v:
            parts.append(f'"{k}":"{v}"')
        else:
            parts.append(f'"{k}":{json.dumps(v)}')
    return "{" + ",".join(parts) + "}"


class RPCHandler(Handler):
    server: RPCServer

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.headers.get("Authorization") != self.server.auth_header:
            self.send_body(401, b"", "text/html", {"WWW-Authenticate": 'Basic realm="jsonrpc"'})
            return
        if self.common_faults():
            return
        try:
            req = json.loads(raw)
        except ValueError:
            self.send_json(
                500,
                {"result": None, "error": {"code": -32700, "message": "Parse error"}, "id": None},
            )
            return
        if isinstance(req, list):
            body = "[" + ",".join(self.one_text(r) for r in req) + "]"
            self.send_body(200, body.encode())
            return
        status, reply = self.one(req)
        self.send_json(status, reply)

    def one(self, req: Any) -> tuple[int, dict[str, Any]]:
        rid = req.get("id") if isinstance(req, dict) else None
        try:
            if not isinstance(req, dict) or not isinstance(req.get("method"), str):
                raise _RPCError(-32600, "Invalid Request object")
            if self.server.warmup:
                raise _RPCError(-28, "Loading block index…")
            result = self.call(req["method"], req.get("params") or [])
            return 200, {"result": result, "error": None, "id": rid}
        except _RPCError as e:
            status = 404 if e.code == -32601 else 500
            return status, {
                "result": None,
                "error": {"code": e.code, "message": e.message},
                "id": rid,
            }

    def one_text(self, req: Any) -> str:
        """One reply of a batch as JSON text (results of the two bulk calls built fast)."""
        status, reply = self.one(req)
        result = reply["result"]
        if isinstance(result, dict):
            rid = json.dumps(reply["id"])
            return f'{{"result":{_flat_json(result)},"error":null,"id":{rid}}}'
        return json.dumps(reply, separators=(",", ":"))

    def call(self, method: str, params: list[Any]) -> Any:
        chain = self.server.chain
        broken = self.server.faults.broken_link_height
        if method == "getblockcount":
            return chain.tip
        if method == "getbestblockhash":
            tip = chain.at(chain.tip)
            assert tip is not None
            return tip.hash
        if method == "getblockhash":
            h = int(params[0])
            b = chain.at(h) or chain.sparse_at(h)
            if b is None:
                raise _RPCError(-8, "Block height out of range")
            return b.hash
        if method == "getblockheader":
            b = chain.find(str(params[0])) or chain.sparse_find(str(params[0]))
            if b is None:
                raise _RPCError(-5, "Block not found")
            return header_json(b, chain, broken)
        if method == "getblockstats":
            key = params[0]
            b = chain.at(key) if isinstance(key, int) else chain.find(str(key))
            if b is None:
                if isinstance(key, int):
                    raise _RPCError(-8, f"Target block height {key} after current tip {chain.tip}")
                raise _RPCError(-5, "Block not found")
            fields = params[1] if len(params) > 1 else None
            return stats_json(b, fields)
        if method in ("getblock", "getrawtransaction"):  # coinbases for pool identification
            if getattr(self.server, "restricted", False):  # a node or proxy without them
                raise _RPCError(-32601, "Method not found")
            return coinbase_call(chain, method, params)
        if method == "getblockchaininfo":
            tip = chain.at(chain.tip)
            assert tip is not None
            return {
                "chain": "main",
                "blocks": chain.tip,
                "headers": chain.tip,
                "bestblockhash": tip.hash,
                "initialblockdownload": False,
                "chainwork": f"{tip.chainwork:064x}",
            }
        raise _RPCError(-32601, "Method not found")


def coinbase_call(chain: Chain, method: str, params: list[Any]) -> Any:
    """``getblock <hash> [1|2]`` and ``getrawtransaction <txid> true <blockhash>``."""
    if method == "getblock":
        b = chain.find(str(params[0]))
        if b is None:
            raise _RPCError(-5, "Block not found")
        verbosity = params[1] if len(params) > 1 else 1
        if verbosity not in (1, 2):
            raise _RPCError(-8, "Verbosity 0 (raw block hex) is not served by the test node")
        spec = coinbase_of(chain, b)
        out = header_json(b, chain, None)
        out.update({"size": b.total_size, "weight": b.total_weight, "strippedsize": 0})
        conf = chain.tip - b.height + 1
        out["tx"] = [txid(spec, b) if verbosity == 1 else rpc_tx(spec, b, confirmations=conf)]
        return out
    if len(params) < 3 or not params[1]:
        raise _RPCError(
            -5, "No such mempool transaction. Use -txindex or provide a block hash to enable"
            " blockchain transaction queries. Use gettransaction for wallet transactions."
        )  # fmt: skip
    b = chain.find(str(params[2]))
    if b is None:
        raise _RPCError(-5, "Block hash not found")
    spec = coinbase_of(chain, b)
    if params[0] != txid(spec, b):
        raise _RPCError(-5, "No such transaction found in the provided block.")
    return rpc_tx(spec, b, confirmations=chain.tip - b.height + 1)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def rpc_server(chain: Chain, *, user: str = "__cookie__", password: str = "s3cret") -> Any:
    """Context manager: a running RPC server for ``chain`` accepting ``user:password``."""
    return serve(RPCHandler, chain=chain, auth_header=basic(user, password), warmup=False)


__all__ = ["RPCHandler", "Running", "rpc_server"]
