"""Bitcoin Core JSON-RPC over HTTP: block headers and ``getblockstats`` for height ranges.

Authentication is the node's cookie file (``<datadir>/.cookie``, one line
``__cookie__:<hex>``) or ``rpcuser``/``rpcpassword``. Credentials are read when a
client is opened, sent only as HTTP Basic auth, and never logged or printed.

Bitcoin Core answers (``src/httprpc.cpp``, ``src/rpc/protocol.h``, JSON-RPC 1.0):

- a single request: HTTP 200 ``{"result": ..., "error": null, "id": ...}``; an RPC error
  comes as HTTP 500 (404 for an unknown method) with ``{"result": null, "error":
  {"code": -28, "message": "Loading block index…"}, "id": ...}``;
- a batch (a JSON array): HTTP 200 and one reply object per request, errors inline;
- wrong credentials: HTTP 401 with an empty body.

Error codes mapped to :class:`RPCError` subclasses: -28 ``RPC_IN_WARMUP``
(:class:`RPCInWarmup`), -8 ``RPC_INVALID_PARAMETER`` (e.g. "Block height out of range",
:class:`RPCInvalidParameter`), -5 ``RPC_INVALID_ADDRESS_OR_KEY`` ("Block not found",
:class:`RPCNotFound`), -32601 method not found (:class:`RPCMethodNotFound`).

Amounts: ``getblockstats`` reports ``totalfee`` and ``subsidy`` in satoshi; JSON numbers
are parsed with :class:`~decimal.Decimal` and must be whole, so no float ever touches an
amount. Each ``get_*`` is ``parse_*(fetch(...))``; the parsers work offline.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from ..errors import SourceError
from ..records import BlockRecord
from ._fields import HASH_RE, json_hash, json_int
from ._http import (
    Answer,
    RetryPolicy,
    SourceBadResponse,
    decode_json,
    make_client,
    request,
)
from ._urls import check_url, one_line
from .coinbase import parse_rpc_coinbase, parse_rpc_coinbase_txid
from .pools import Coinbase

DEFAULT_RPC_URL = "http://127.0.0.1:8332/"
STATS_FIELDS: tuple[str, ...] = (
    "blockhash",
    "height",
    "time",
    "mediantime",
    "subsidy",
    "totalfee",
    "txs",
    "total_size",
    "total_weight",
)
COINBASE_BATCH = 50  # blocks per getblock batch: each answer lists every txid (~0.25 MB)
_BITS_RE = re.compile(r"^[0-9a-f]{8}$")
_CHAINWORK_RE = re.compile(r"^[0-9a-f]{64}$")


class RPCError(SourceError):
    """The node answered a JSON-RPC error."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RPCInWarmup(RPCError):
    """-28: the node is still starting (loading the block index, verifying blocks)."""


class RPCInvalidParameter(RPCError):
    """-8: e.g. a height above the node's tip."""


class RPCNotFound(RPCError):
    """-5: block not found."""


class RPCMethodNotFound(RPCError):
    """-32601: the node does not know the method (too old, or a restricted whitelist)."""


class RPCAuthError(RPCError):
    """The node rejected the credentials (HTTP 401/403), or the cookie file is unreadable."""


_CODE_CLASSES: dict[int, type[RPCError]] = {
    -28: RPCInWarmup,
    -8: RPCInvalidParameter,
    -5: RPCNotFound,
    -32601: RPCMethodNotFound,
}


# --- parsers (offline) -----------------------------------------------------------------


def rpc_error(error: Mapping[str, Any], *, method: str) -> RPCError:
    """The :class:`RPCError` subclass for a JSON-RPC ``error`` object."""
    code = error.get("code")
    msg = one_line(str(error.get("message", "")).strip())
    icode = int(code) if isinstance(code, int | Decimal) else None
    cls = _CODE_CLASSES.get(icode, RPCError) if icode is not None else RPCError
    if cls is RPCInWarmup:
        text = f"the node is still starting up (RPC error -28: {msg}); try again in a minute"
    else:
        text = f"{method}: RPC error {icode}: {msg}"
    return cls(text, code=icode)


def parse_rpc_reply(reply: Any, *, method: str) -> Any:
    """The ``result`` of one JSON-RPC reply object; raise its ``error`` if set."""
    if not isinstance(reply, dict) or "result" not in reply and "error" not in reply:
        raise SourceBadResponse(f"{method}: not a JSON-RPC reply: {str(reply)[:80]!r}")
    err = reply.get("error")
    if err is not None:
        if not isinstance(err, dict):
            raise SourceBadResponse(f"{method}: malformed JSON-RPC error {err!r}")
        raise rpc_error(err, method=method)
    return reply.get("result")


def parse_batch_reply(replies: Any, ids: Sequence[int], methods: Sequence[str]) -> list[Any]:
    """Results of a batch, in request order (replies may come in any order, matched by id)."""
    if not isinstance(replies, list):
        raise SourceBadResponse(f"batch of {len(ids)} {methods[0]}: the answer is not a list")
    by_id: dict[Any, Any] = {}
    for r in replies:
        if isinstance(r, dict) and "id" in r:
            by_id[r["id"]] = r
    out = []
    for i, m in zip(ids, methods, strict=True):
        if i not in by_id:
            raise SourceBadResponse(f"batch: no reply for request id {i} ({m})")
        out.append(parse_rpc_reply(by_id[i], method=m))
    return out


@dataclass(frozen=True, slots=True)
class HeaderInfo:
    """The ``getblockheader`` fields we keep."""

    height: int
    hash: str
    prev_hash: str | None
    time_s: int
    median_time_s: int | None
    bits: int
    chainwork_hex: str | None


_HEADER_INTS = ("height", "time", "mediantime")
_is_hash = HASH_RE.match
_is_bits = _BITS_RE.match


def parse_header(obj: Any) -> HeaderInfo:
    """Parse a verbose ``getblockheader`` result (``bits`` is 8 hex digits).

    A well-formed header takes a fast path (one type test per field); anything else is
    parsed field by field, so the error names the field that is wrong.
    """
    if type(obj) is dict:
        height, time_s, mtp = (obj.get(k) for k in _HEADER_INTS)
        h, prev, bits, cw = (
            obj.get("hash"),
            obj.get("previousblockhash"),
            obj.get("bits"),
            obj.get("chainwork"),
        )
        if (
            type(height) is int and type(time_s) is int and type(mtp) is int
            and height >= 0 and time_s >= 0 and mtp >= 0
            and type(h) is str and _is_hash(h)
            and type(prev) is str and _is_hash(prev)
            and type(bits) is str and _is_bits(bits)
            and type(cw) is str and _is_hash(cw)
        ):  # fmt: skip
            return HeaderInfo(height, h, prev, time_s, mtp, int(bits, 16), cw)
    return _parse_header_checked(obj)


def _parse_header_checked(obj: Any) -> HeaderInfo:
    if not isinstance(obj, dict):
        raise SourceBadResponse(f"getblockheader: expected an object, got {str(obj)[:80]!r}")
    what = f"getblockheader {obj.get('hash')}"
    bits = obj.get("bits")
    if not isinstance(bits, str) or not _BITS_RE.match(bits):
        raise SourceBadResponse(f"{what}: field 'bits' is not 8 hex digits: {bits!r}")
    chainwork = obj.get("chainwork")  # always sent by Core; tolerated when absent
    if chainwork is not None and (
        not isinstance(chainwork, str) or not _CHAINWORK_RE.match(chainwork)
    ):
        raise SourceBadResponse(f"{what}: field 'chainwork' is not 64 hex digits: {chainwork!r}")
    height = json_int(obj, "height", what)
    time_s = json_int(obj, "time", what)
    mtp = json_int(obj, "mediantime", what, optional=True)
    assert height is not None and time_s is not None
    block_hash = json_hash(obj, "hash", what)
    assert block_hash is not None
    prev = json_hash(obj, "previousblockhash", what, optional=height == 0)
    return HeaderInfo(height, block_hash, prev, time_s, mtp, int(bits, 16), chainwork)


@dataclass(frozen=True, slots=True)
class StatsInfo:
    """The ``getblockstats`` fields we keep (amounts in sat)."""

    height: int
    hash: str
    time_s: int
    median_time_s: int | None
    subsidy_sat: int | None
    fees_sat: int | None
    tx_count: int | None
    size_bytes: int | None
    weight_wu: int | None


_STATS_INTS = (
    "height", "time", "mediantime", "subsidy", "totalfee", "txs", "total_size", "total_weight",
)  # fmt: skip


def parse_blockstats(obj: Any) -> StatsInfo:
    """Parse a ``getblockstats`` result (``totalfee``, ``subsidy`` in sat).

    Fast path for a well-formed answer, else field by field (naming the bad field).
    """
    if type(obj) is dict:
        v: list[Any] = [obj.get(k) for k in _STATS_INTS]
        h = obj.get("blockhash")
        if type(h) is str and _is_hash(h) and all(type(x) is int and x >= 0 for x in v):
            return StatsInfo(v[0], h, v[1], v[2], v[3], v[4], v[5], v[6], v[7])
    return _parse_blockstats_checked(obj)


def _parse_blockstats_checked(obj: Any) -> StatsInfo:
    if not isinstance(obj, dict):
        raise SourceBadResponse(f"getblockstats: expected an object, got {str(obj)[:80]!r}")
    what = f"getblockstats {obj.get('height')}"
    height = json_int(obj, "height", what)
    time_s = json_int(obj, "time", what)
    block_hash = json_hash(obj, "blockhash", what)
    assert height is not None and time_s is not None and block_hash is not None
    return StatsInfo(
        height=height,
        hash=block_hash,
        time_s=time_s,
        median_time_s=json_int(obj, "mediantime", what, optional=True),
        subsidy_sat=json_int(obj, "subsidy", what, optional=True),
        fees_sat=json_int(obj, "totalfee", what, optional=True),
        tx_count=json_int(obj, "txs", what, optional=True),
        size_bytes=json_int(obj, "total_size", what, optional=True),
        weight_wu=json_int(obj, "total_weight", what, optional=True),
    )


def merge_block(header: HeaderInfo, stats: StatsInfo | None) -> BlockRecord:
    """One :class:`BlockRecord` from a header and (optionally) its stats; they must agree."""
    if stats is not None and (
        stats.hash != header.hash or stats.height != header.height or stats.time_s != header.time_s
    ):
        raise SourceBadResponse(
            f"getblockstats {stats.height} ({stats.hash}) and getblockheader"
            f" {header.height} ({header.hash}) describe different blocks"
        )
    return BlockRecord(
        height=header.height,
        hash=header.hash,
        time_s=header.time_s,
        median_time_s=header.median_time_s
        if header.median_time_s is not None or stats is None
        else stats.median_time_s,
        bits=header.bits,
        prev_hash=header.prev_hash,
        chainwork_hex=header.chainwork_hex,
        fees_sat=None if stats is None else stats.fees_sat,
        subsidy_sat=None if stats is None else stats.subsidy_sat,
        tx_count=None if stats is None else stats.tx_count,
        size_bytes=None if stats is None else stats.size_bytes,
        weight_wu=None if stats is None else stats.weight_wu,
    )


# --- request bodies ------------------------------------------------------------------

_json = json.JSONEncoder(separators=(",", ":")).encode
_PLAIN_RE = re.compile(r"^[0-9A-Za-z_]*$")  # needs no JSON escaping


def _params_json(params: Sequence[Any]) -> str:
    """JSON text of a parameter list; ints, bools and hex strings (almost every batched
    call) without the encoder, which costs more than the whole reply's parse."""
    parts = []
    for p in params:
        t = type(p)
        if t is int:
            parts.append(str(p))
        elif t is bool:
            parts.append("true" if p else "false")
        elif t is str and _PLAIN_RE.match(p):
            parts.append(f'"{p}"')
        else:
            parts.append(_json(p))
    return "[" + ",".join(parts) + "]"


# --- credentials ---------------------------------------------------------------------


@dataclass(frozen=True)
class RPCCredentials:
    """Where the credentials are: a cookie file, or a user and password.

    The password is held only in memory and never shown by ``repr``; the cookie file
    is read by :meth:`auth`, i.e. when a client is opened.
    """

    cookie_path: Path | None = None
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        if self.cookie_path is not None:
            return f"RPCCredentials(cookie_path={str(self.cookie_path)!r})"
        return f"RPCCredentials(user={self.user!r}, password=***)"

    def auth(self) -> httpx.BasicAuth | None:
        """HTTP Basic credentials (reads the cookie file now)."""
        if self.cookie_path is not None:
            path = self.cookie_path.expanduser()
            try:
                text = path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise RPCAuthError(
                    f"cannot read the RPC cookie file {path} ({exc.strerror});"
                    " is the node running, and is this its data directory?"
                ) from exc
            user, sep, password = text.partition(":")
            if not sep or not user:
                raise RPCAuthError(f"the RPC cookie file {path} is not 'user:password'")
            return httpx.BasicAuth(user, password)
        if self.user is not None:
            return httpx.BasicAuth(self.user, self.password or "")
        return None


# --- client --------------------------------------------------------------------------


class BitcoindClient:
    """A Bitcoin Core JSON-RPC client with batching.

    Parameters
    ----------
    url : str
        RPC endpoint, e.g. ``http://127.0.0.1:8332/`` (checked: :func:`~._urls.check_url`).
    credentials : RPCCredentials, optional
        Cookie file or user and password (default: the URL's user info, if any).
    timeout_s : float
        Per-request read timeout. [s]
    policy : RetryPolicy, optional
        Retries for timeouts, 5xx without an RPC error, junk bodies and 429.
    transport : httpx.BaseTransport, optional
        Replace the network transport.
    """

    name = "rpc"

    def __init__(
        self,
        url: str = DEFAULT_RPC_URL,
        *,
        credentials: RPCCredentials | None = None,
        timeout_s: float = 60.0,
        policy: RetryPolicy | None = None,
        batch_size: int = 500,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        checked = check_url(url, what="RPC URL")
        if credentials is None and checked.user is not None:
            credentials = RPCCredentials(user=checked.user, password=checked.password)
        auth = (credentials or RPCCredentials()).auth()
        self.url = checked.url
        self.batch_size = max(1, batch_size)
        self.policy = policy or RetryPolicy()
        self._client = make_client(checked.url, timeout_s=timeout_s, auth=auth, transport=transport)
        self._ids = itertools.count(1)

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> BitcoindClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # transport ----------------------------------------------------------------------

    def _check(self, ans: Answer, method: str) -> None:
        if ans.status in (401, 403):
            raise RPCAuthError(
                f"the node at {self.url} rejected the RPC credentials (HTTP {ans.status});"
                " check --rpc-cookie or --rpc-user/--rpc-password (and rpcallowip)"
            )
        if ans.status in (404, 500) and ans.body[:1] == b"{":
            try:
                body = decode_json(ans.body, what=method)
            except SourceBadResponse:
                return
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                raise rpc_error(body["error"], method=method)

    def _post(self, payload: Any, method: str) -> Any:
        return request(
            self._client,
            "POST",
            "",
            policy=self.policy,
            content=payload if isinstance(payload, bytes) else None,
            json_body=None if isinstance(payload, bytes) else payload,
            check=lambda ans: self._check(ans, method),
        )

    def call(self, method: str, *params: Any) -> Any:
        """One RPC call; its ``result``."""
        rid = next(self._ids)
        body = {"jsonrpc": "1.0", "id": rid, "method": method, "params": list(params)}
        return parse_rpc_reply(self._post(body, method), method=method)

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several calls in batches of ``batch_size``; results in order."""
        out: list[Any] = []
        for start in range(0, len(calls), self.batch_size):
            chunk = calls[start : start + self.batch_size]
            ids = [next(self._ids) for _ in chunk]
            body = ",".join(
                f'{{"jsonrpc":"1.0","id":{i},"method":{_json(m)},"params":{_params_json(p)}}}'
                for i, (m, p) in zip(ids, chunk, strict=True)
            )
            reply = self._post(f"[{body}]".encode(), f"batch of {len(chunk)} {chunk[0][0]}")
            out.extend(parse_batch_reply(reply, ids, [m for m, _ in chunk]))
        return out

    # queries ------------------------------------------------------------------------

    def tip_height(self) -> int:
        """``getblockcount``. [height]"""
        v = self.call("getblockcount")
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise SourceBadResponse(f"getblockcount: not a height: {v!r}")
        return v

    def block_hashes(self, heights: Sequence[int]) -> dict[int, str]:
        """``getblockhash`` for each height (batched)."""
        results = self.batch([("getblockhash", [h]) for h in heights])
        out: dict[int, str] = {}
        for h, v in zip(heights, results, strict=True):
            if not isinstance(v, str) or not HASH_RE.match(v):
                raise SourceBadResponse(f"getblockhash {h}: not a block hash: {v!r}")
            out[h] = v
        return out

    def get_headers(self, hashes: Sequence[str]) -> list[HeaderInfo]:
        """``getblockheader`` (verbose) for each hash (batched)."""
        return [
            parse_header(r) for r in self.batch([("getblockheader", [h, True]) for h in hashes])
        ]

    def get_blockstats(self, heights: Sequence[int]) -> list[StatsInfo]:
        """``getblockstats`` of each height, only the fields we keep (batched)."""
        calls = [("getblockstats", [h, list(STATS_FIELDS)]) for h in heights]
        return [parse_blockstats(r) for r in self.batch(calls)]

    def block_headers(self, heights: Sequence[int]) -> list[BlockRecord]:
        """Header fields of the blocks at ``heights``: ``getblockhash``, then
        ``getblockheader`` (two batched round trips; no stats, so pruned heights work)."""
        hashes = self.block_hashes(heights)
        headers = self.get_headers([hashes[h] for h in heights])
        for h, hd in zip(heights, headers, strict=True):
            if hd.height != h:
                raise SourceBadResponse(f"getblockheader {hashes[h]}: height {hd.height}, not {h}")
        return [merge_block(hd, None) for hd in headers]

    def blocks(self, lo: int, hi: int) -> list[BlockRecord]:
        """Blocks ``lo`` to ``hi`` inclusive: stats by height, then the header of each hash.

        Two batched round trips. The header is fetched by the hash the stats named, so
        both halves describe the same block even if the node reorganises in between; if
        it did, and drops a named block ("Block not found", -5), the pair is asked again
        once.
        """
        heights = list(range(lo, hi + 1))
        for again in (False, True):
            stats = self.get_blockstats(heights)
            for h, s in zip(heights, stats, strict=True):
                if s.height != h:
                    raise SourceBadResponse(f"getblockstats {h} answered height {s.height}")
            try:
                headers = self.get_headers([s.hash for s in stats])
            except RPCNotFound:
                if again:
                    raise
                continue  # a reorg between the two calls: the stats named a stale block
            break
        return [merge_block(hd, s) for hd, s in zip(headers, stats, strict=True)]

    def coinbases(self, records: Sequence[BlockRecord]) -> dict[int, Coinbase]:
        """The coinbase of each block (pool identification, :mod:`minerscope.sources.pools`).

        ``getblock <hash> 1`` names the coinbase txid (``tx[0]``), then
        ``getrawtransaction <txid> true <hash>`` returns it (with the block hash, no
        ``-txindex`` is needed). Verbosity 1 lists txids only: a tenth of what
        ``getblock <hash> 2`` sends (every transaction decoded). Batched, by hash, so
        both calls describe the blocks of ``records``.
        """
        out: dict[int, Coinbase] = {}
        hashed = [r for r in records if r.hash is not None]
        for start in range(0, len(hashed), COINBASE_BATCH):
            part = hashed[start : start + COINBASE_BATCH]
            found = self.batch([("getblock", [r.hash, 1]) for r in part])
            txids = [
                parse_rpc_coinbase_txid(b, block_hash=str(r.hash))
                for b, r in zip(found, part, strict=True)
            ]
            txs = self.batch(
                [("getrawtransaction", [t, True, r.hash]) for t, r in zip(txids, part, strict=True)]
            )
            for r, tx in zip(part, txs, strict=True):
                out[r.height] = parse_rpc_coinbase(tx, what=f"coinbase of block {r.height}")
        return out


__all__ = [
    "DEFAULT_RPC_URL",
    "STATS_FIELDS",
    "BitcoindClient",
    "HeaderInfo",
    "RPCAuthError",
    "RPCCredentials",
    "RPCError",
    "RPCInWarmup",
    "RPCInvalidParameter",
    "RPCMethodNotFound",
    "RPCNotFound",
    "StatsInfo",
    "merge_block",
    "parse_batch_reply",
    "parse_blockstats",
    "parse_header",
    "parse_rpc_reply",
    "rpc_error",
]
