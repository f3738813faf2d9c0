"""The esplora / mempool.space REST API: tip height, block hashes, blocks with fees.

Endpoints (relative to a base URL such as ``https://mempool.space/api`` or a self-hosted
``http://127.0.0.1:3002/api``; documented at mempool.space/docs/api/rest and in
Blockstream/esplora ``API.md``):

- ``GET /blocks/tip/height`` -> the tip height as plain text;
- ``GET /block-height/:height`` -> the block hash as plain text;
- ``GET /block/:hash`` -> ``{"id", "height", "version", "timestamp", "bits", "nonce",
  "difficulty", "merkle_root", "tx_count", "size", "weight", "previousblockhash",
  "mediantime"}`` (esplora; no fees, no chainwork);
- ``GET /v1/blocks/:height`` (mempool only) -> up to 15 blocks from ``height`` downwards,
  each with ``extras``: ``totalFees`` and ``reward`` (sat), ``pool`` {id, name, slug}, ...

Block ``timestamp`` and ``mediantime`` are Unix seconds; the mempool fields that are in
milliseconds (``/v1/difficulty-adjustment``: ``estimatedRetargetDate``, ``timeAvg``,
``adjustedTimeAvg``, ``remainingTime``) are converted to seconds when parsed.
Chainwork is not served, so :meth:`EsploraClient.blocks` leaves it empty; the sync
derives it from the stored block below (``ingest.sync``).

When ``/v1/blocks`` answers 404 (plain esplora), the client falls back to one
``/block-height`` and one ``/block`` request per block, at most ``concurrency`` at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx

from ..records import BlockRecord
from ._fields import HASH_RE, json_hash, json_int
from ._http import (
    ConcurrencyLimit,
    RetryPolicy,
    SourceBadResponse,
    SourceHTTPError,
    make_client,
    request,
)
from ._urls import check_url
from .coinbase import parse_esplora_coinbase, parse_mempool_extras
from .pools import Coinbase

DEFAULT_ESPLORA_URL = "https://mempool.space/api"
MEMPOOL_PAGE = 15  # blocks per /v1/blocks/:height answer (mempool backend, blocks.ts)
MS_PER_S = 1000
T = TypeVar("T")


# --- parsers (offline) -----------------------------------------------------------------


def parse_tip_height(text: str) -> int:
    """``/blocks/tip/height`` body (plain text) -> height."""
    t = text.strip()
    if not t.isdigit():
        raise SourceBadResponse(f"/blocks/tip/height: not a height: {t[:40]!r}")
    return int(t)


def parse_block_hash(text: str, *, height: int) -> str:
    """``/block-height/:height`` body (plain text) -> hash."""
    t = text.strip()
    if not HASH_RE.match(t):
        raise SourceBadResponse(f"/block-height/{height}: not a block hash: {t[:70]!r}")
    return t


@dataclass(frozen=True, slots=True)
class MempoolExtras:
    """The ``extras`` of a mempool block we read (amounts in sat)."""

    total_fees_sat: int | None
    reward_sat: int | None
    pool_name: str | None


def parse_block(obj: Any) -> tuple[BlockRecord, MempoolExtras | None]:
    """An esplora ``/block/:hash`` object or one item of mempool's ``/v1/blocks/:height``.

    ``reward`` is subsidy plus fees, so ``subsidy_sat = reward - totalFees``.
    """
    if not isinstance(obj, dict):
        raise SourceBadResponse(f"block: expected an object, got {str(obj)[:80]!r}")
    what = f"block {obj.get('height')}"
    height = json_int(obj, "height", what)
    time_s = json_int(obj, "timestamp", what)
    assert height is not None and time_s is not None
    block_hash = json_hash(obj, "id", what)
    assert block_hash is not None
    prev = json_hash(obj, "previousblockhash", what, optional=height == 0)
    extras: MempoolExtras | None = None
    fees = subsidy = None
    raw = obj.get("extras")
    if isinstance(raw, dict):
        fees = json_int(raw, "totalFees", what, optional=True)
        reward = json_int(raw, "reward", what, optional=True)
        pool = raw.get("pool")
        pool_name = pool.get("name") if isinstance(pool, dict) else None
        extras = MempoolExtras(fees, reward, pool_name if isinstance(pool_name, str) else None)
        if fees is not None and reward is not None:
            if reward < fees:
                raise SourceBadResponse(f"{what}: reward {reward} sat < total fees {fees} sat")
            subsidy = reward - fees
    elif raw is not None:
        raise SourceBadResponse(f"{what}: 'extras' is not an object")
    record = BlockRecord(
        height=height,
        hash=block_hash,
        time_s=time_s,
        median_time_s=json_int(obj, "mediantime", what, optional=True),
        bits=json_int(obj, "bits", what),
        prev_hash=prev,
        chainwork_hex=None,
        fees_sat=fees,
        subsidy_sat=subsidy,
        tx_count=json_int(obj, "tx_count", what, optional=True),
        size_bytes=json_int(obj, "size", what, optional=True),
        weight_wu=json_int(obj, "weight", what, optional=True),
    )
    return record, extras


def parse_blocks_page(obj: Any, *, height: int) -> list[BlockRecord]:
    """mempool ``/v1/blocks/:height``: a list of blocks, newest first -> records oldest first."""
    if not isinstance(obj, list):
        raise SourceBadResponse(f"/v1/blocks/{height}: expected a list, got {str(obj)[:80]!r}")
    records = [parse_block(item)[0] for item in obj]
    records.sort(key=lambda r: r.height)
    return records


@dataclass(frozen=True, slots=True)
class DifficultyAdjustment:
    """mempool ``/v1/difficulty-adjustment`` in our units (ms fields converted to s)."""

    progress_pct: float
    difficulty_change_pct: float
    estimated_retarget_time_s: int
    remaining_blocks: int
    remaining_time_s: float
    next_retarget_height: int
    mean_block_time_s: float


def parse_difficulty_adjustment(obj: Any) -> DifficultyAdjustment:
    """Parse ``/v1/difficulty-adjustment`` (its ``*Date``/``*Time*`` fields are ms)."""
    if not isinstance(obj, dict):
        raise SourceBadResponse("/v1/difficulty-adjustment: expected an object")
    try:
        return DifficultyAdjustment(
            progress_pct=float(obj["progressPercent"]),
            difficulty_change_pct=float(obj["difficultyChange"]),
            estimated_retarget_time_s=int(obj["estimatedRetargetDate"]) // MS_PER_S,
            remaining_blocks=int(obj["remainingBlocks"]),
            remaining_time_s=float(obj["remainingTime"]) / MS_PER_S,
            next_retarget_height=int(obj["nextRetargetHeight"]),
            mean_block_time_s=float(obj["timeAvg"]) / MS_PER_S,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceBadResponse(f"/v1/difficulty-adjustment: bad field {exc}") from exc


# --- client --------------------------------------------------------------------------


class EsploraClient:
    """An esplora / mempool REST client.

    Parameters
    ----------
    base_url : str
        API root, e.g. ``https://mempool.space/api``.
    concurrency : int
        Requests in flight at once. [count]
    timeout_s : float
        Per-request read timeout. [s]
    policy : RetryPolicy, optional
        Retries (429 with Retry-After, 5xx, timeouts, junk bodies).
    """

    name = "esplora"

    def __init__(
        self,
        base_url: str = DEFAULT_ESPLORA_URL,
        *,
        concurrency: int = 4,
        timeout_s: float = 30.0,
        policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        checked = check_url(base_url, what="esplora URL")
        self.url = checked.url
        self.concurrency = max(1, concurrency)
        self.policy = policy or RetryPolicy()
        # Lowered while the server answers 429, raised again as answers come (see _net).
        self.limiter = ConcurrencyLimit(self.concurrency)
        self._client = make_client(
            checked.url,
            timeout_s=timeout_s,
            max_connections=self.concurrency,
            transport=transport,
        )
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency)
        self._has_v1: bool | None = None
        self._extras: dict[str, Coinbase] = {}  # block hash -> mempool extras' coinbase

    def close(self) -> None:
        """Close the connections (requests still running fail at once), then the workers."""
        self._client.close()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> EsploraClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get_parsed(self, path: str, parse: Callable[[str], T]) -> T:
        """GET a plain-text answer and parse it inside the retry loop (junk is retried)."""
        out: T = request(
            self._client,
            "GET",
            path,
            policy=self.policy,
            parse=lambda r: parse(r.text),
            limiter=self.limiter,
        )
        return out

    def _get_json(self, path: str) -> Any:
        return request(self._client, "GET", path, policy=self.policy, limiter=self.limiter)

    def _map(self, fn: Callable[[int], T], items: Sequence[int]) -> list[T]:
        return list(self._pool.map(fn, items))

    def tip_height(self) -> int:
        """``/blocks/tip/height``. [height]"""
        return self._get_parsed("blocks/tip/height", parse_tip_height)

    def block_hashes(self, heights: Sequence[int]) -> dict[int, str]:
        """``/block-height/:height`` for each height (bounded concurrency)."""
        hashes = self._map(
            lambda h: self._get_parsed(
                f"block-height/{h}", lambda text: parse_block_hash(text, height=h)
            ),
            heights,
        )
        return dict(zip(heights, hashes, strict=True))

    def get_block(self, block_hash: str) -> BlockRecord:
        """``/block/:hash``."""
        return parse_block(self._get_json(f"block/{block_hash}"))[0]

    def get_blocks_page(self, height: int) -> list[BlockRecord]:
        """mempool ``/v1/blocks/:height``: up to 15 blocks ending at ``height``, oldest first."""
        page = self._get_json(f"v1/blocks/{height}")
        for item in page if isinstance(page, list) else []:  # pools: keep extras' coinbase
            cb = parse_mempool_extras(item.get("extras")) if isinstance(item, dict) else None
            if cb is not None and isinstance(item.get("id"), str):
                self._extras[item["id"]] = cb
        return parse_blocks_page(page, height=height)

    def get_difficulty_adjustment(self) -> DifficultyAdjustment:
        """mempool ``/v1/difficulty-adjustment``."""
        return parse_difficulty_adjustment(self._get_json("v1/difficulty-adjustment"))

    def _blocks_v1(self, lo: int, hi: int) -> list[BlockRecord]:
        tops = list(range(hi, lo - 1, -MEMPOOL_PAGE))
        found: dict[int, BlockRecord] = {}
        for page in self._map(self.get_blocks_page, tops):
            for r in page:
                if lo <= r.height <= hi:
                    found.setdefault(r.height, r)
        return [found[h] for h in sorted(found)]

    def _blocks_plain(self, lo: int, hi: int) -> list[BlockRecord]:
        heights = list(range(lo, hi + 1))
        hashes = self.block_hashes(heights)
        return self._map(lambda h: self.get_block(hashes[h]), heights)

    def get_coinbase(self, block_hash: str) -> Coinbase:
        """The coinbase of a block: the first transaction of ``/block/:hash/txs/0``."""
        return parse_esplora_coinbase(
            self._get_json(f"block/{block_hash}/txs/0"), what=f"/block/{block_hash}/txs/0"
        )

    def coinbases(self, records: Sequence[BlockRecord]) -> dict[int, Coinbase]:
        """The coinbase of each block (pool identification, :mod:`minerscope.sources.pools`).

        mempool's pages (:meth:`blocks`) already carry it in ``extras`` (``coinbaseRaw``,
        ``coinbaseAddresses``, and its own ``pool``); otherwise one ``/block/:hash/txs/0``
        request per block, at most ``concurrency`` at once.
        """
        out: dict[int, Coinbase] = {}
        missing: list[BlockRecord] = []
        for r in records:
            cb = self._extras.pop(r.hash, None) if r.hash is not None else None
            if cb is not None and cb.script_sig:
                out[r.height] = cb
            elif r.hash is not None:
                missing.append(r)
                if cb is not None:  # mempool's pool without the raw coinbase
                    self._extras[r.hash] = cb
        fetched = self._map(lambda i: self.get_coinbase(str(missing[i].hash)),
                            list(range(len(missing))))  # fmt: skip
        for r, cb in zip(missing, fetched, strict=True):
            reported = self._extras.pop(str(r.hash), None)
            if reported is not None:
                cb = replace(
                    cb,
                    reported_pool_slug=reported.reported_pool_slug,
                    reported_pool_name=reported.reported_pool_name,
                )
            out[r.height] = cb
        return out

    def block_headers(self, heights: Sequence[int]) -> list[BlockRecord]:
        """The blocks at ``heights`` (``/block-height/:h``, then ``/block/:hash``; no fees)."""
        hashes = self.block_hashes(heights)
        out = self._map(lambda h: self.get_block(hashes[h]), list(heights))
        for h, r in zip(heights, out, strict=True):
            if r.height != h:
                raise SourceBadResponse(f"/block/{hashes[h]}: height {r.height}, not {h}")
        return out

    def blocks(self, lo: int, hi: int) -> list[BlockRecord]:
        """Blocks ``lo`` to ``hi`` inclusive, oldest first (mempool pages, else per block)."""
        self._extras.clear()
        if self._has_v1 is not False:
            try:
                out = self._blocks_v1(lo, hi)
                self._has_v1 = True
                return out
            except SourceHTTPError as exc:
                if exc.status != 404 or self._has_v1:
                    raise
                self._has_v1 = False
        return self._blocks_plain(lo, hi)


__all__ = [
    "DEFAULT_ESPLORA_URL",
    "MEMPOOL_PAGE",
    "DifficultyAdjustment",
    "EsploraClient",
    "MempoolExtras",
    "parse_block",
    "parse_block_hash",
    "parse_blocks_page",
    "parse_difficulty_adjustment",
    "parse_tip_height",
]
