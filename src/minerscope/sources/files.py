"""Readers for the offline file formats: Electrum checkpoints JSON, per-epoch bits CSV, daily
network CSV with Coin Metrics column names, and price CSVs (getblockstats CSV:
:mod:`minerscope.sources.blockstats`).

Readers stream: they hand out the records of a block of lines at a time, so an import
validates and writes a file of any size in flat memory. Each line is checked against
consensus and plausibility (:mod:`minerscope.sources.limits`): dates from the genesis day
to the clock, counts and amounts within physical limits, compact targets that decode.
Every error is an :class:`~minerscope.errors.InputError` naming the file, the line
(1 = the header) and the field. ``now_s`` is the wall clock passed in from the CLI edge
(None: only the fixed limits apply).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from ..consensus import MAINNET, bits_from_target, difficulty_from_bits, target_from_bits
from ..errors import InputError
from ..records import DailyRecord, EpochRecord, MvrvRecord, PriceRecord
from ..units import SAT_PER_BTC
from . import limits
from ._csvrows import (
    CsvFile,
    Field,
    Located,
    bits_problem,
    locate,
    records,
    shown,
)
from ._textfile import TextFile

_HASH_RE: Final = re.compile(r"^[0-9a-fA-F]{64}$")
_EPOCH_LEN: Final = MAINNET.difficulty_adjustment_interval
MAINNET_GENESIS_BITS: Final = 0x1D00FFFF
#: Largest Electrum checkpoints file read (the real one is 75 KiB). [bytes]
MAX_JSON_BYTES: Final = 16 << 20


# --- epochs ---------------------------------------------------------------------------


def _epochs_from_checkpoints(p: Path, data: Any) -> list[Located]:
    """Electrum checkpoints: entry i = [hash of block (i+1)*2016-1, target of epoch i+1]."""
    if not isinstance(data, list) or not data:
        raise InputError("not an Electrum checkpoints file: expected a JSON list", path=str(p))
    if len(data) > limits.MAX_EPOCH:
        raise InputError(f"{len(data):,} checkpoints is more than heights allow", path=str(p))
    out: list[Located] = []
    bits_of_epoch = MAINNET_GENESIS_BITS
    for i, entry in enumerate(data):
        where = f"checkpoint entry {i}"
        if not (isinstance(entry, list) and len(entry) == 2):
            raise InputError(f"{where}: expected [block_hash, target]", path=str(p))
        block_hash, target = entry
        if not isinstance(block_hash, str) or not _HASH_RE.match(block_hash):
            what = shown(block_hash) if isinstance(block_hash, str) else type(block_hash).__name__
            raise InputError(f"{where}: {what} is not a block hash", path=str(p))
        if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
            raise InputError(f"{where}: target must be a positive integer", path=str(p))
        if target > MAINNET.pow_limit:
            raise InputError(f"{where}: target is above the proof-of-work limit", path=str(p))
        bits = bits_from_target(target)
        if target_from_bits(bits) != target:
            raise InputError(
                f"{where}: target {target:#x} has no exact compact encoding", path=str(p)
            )
        out.append(
            Located(None, EpochRecord(i, i * _EPOCH_LEN, bits_of_epoch, block_hash.lower()), where)
        )
        bits_of_epoch = bits
    n = len(data)
    out.append(
        Located(
            None, EpochRecord(n, n * _EPOCH_LEN, bits_of_epoch, None), f"checkpoint entry {n - 1}"
        )
    )
    return out


def _epoch_row(f: Field, header: list[str], bits_col: str | None) -> EpochRecord:
    epoch = f.int_("epoch", maximum=limits.MAX_EPOCH, what=" (heights are below 2^31)")
    start = f.int_("start_height", maximum=limits.MAX_HEIGHT)
    assert epoch is not None and start is not None
    if start != epoch * _EPOCH_LEN:
        raise f.fail("start_height", f"{start} is not epoch {epoch} x 2016 = {epoch * 2016}")
    if "end_height" in header and f.raw("end_height"):
        end = f.int_("end_height", maximum=limits.MAX_HEIGHT)
        if end != start + _EPOCH_LEN - 1:
            raise f.fail("end_height", f"{end} is not start_height + 2015 = {start + 2015}")
    bits = f.bits_(bits_col) if bits_col else f.bits_("bits_int")
    if bits_col and "bits_int" in header and f.raw("bits_int"):
        as_int = f.int_("bits_int", maximum=0xFFFFFFFF)
        if as_int != bits:
            raise f.fail("bits_int", f"{as_int} disagrees with {bits_col} {bits:08x}")
    if epoch == 0 and bits != MAINNET_GENESIS_BITS:
        raise f.fail(bits_col or "bits_int", f"{bits:08x}: epoch 0 uses the genesis bits 1d00ffff")
    if "target_hex" in header and f.raw("target_hex"):
        text = f.raw("target_hex").lower().removeprefix("0x")
        if not re.fullmatch(r"[0-9a-f]{1,64}", text) or int(text, 16) != target_from_bits(bits):
            raise f.fail(
                "target_hex", f"{shown(f.raw('target_hex'))} is not the target of bits {bits:08x}"
            )
    if "difficulty" in header and f.raw("difficulty"):
        given = f.float_("difficulty", maximum=limits.MAX_DIFFICULTY)
        if given is not None and not math.isclose(given, difficulty_from_bits(bits), rel_tol=1e-6):
            raise f.fail(
                "difficulty",
                f"{given:g} is not the difficulty of bits {bits:08x}"
                f" ({difficulty_from_bits(bits):g})",
            )
    end_hash = None
    if "end_block_hash" in header and f.raw("end_block_hash"):
        end_hash = f.hash_("end_block_hash")
    return EpochRecord(epoch, start, bits, end_hash)


def read_epochs(path: str | Path) -> Iterator[list[Located]]:
    """Epochs from Electrum's checkpoints JSON or a per-epoch bits CSV, a block at a time.

    Notes
    -----
    Electrum's entry *i* holds the hash of block (i+1)*2016-1 (the last of epoch *i*) and
    the target *used by epoch i+1* (see ``../shared/data/SOURCES.md``). Epoch 0 uses
    0x1d00ffff. Every target must have an exact compact encoding and be no easier than the
    proof-of-work limit. A CSV's ``end_height``, ``target_hex`` and ``difficulty``
    columns, when present, must agree with its bits.
    """
    p = Path(path)
    with TextFile(p) as text:
        if text.header.lstrip().startswith("["):
            yield _read_checkpoints(p, text)
            return
    with CsvFile(p) as f:
        f.require(["epoch", "start_height"], "per-epoch bits CSV")
        header = f.header
        bits_col = "bits_hex" if "bits_hex" in header else "bits" if "bits" in header else None
        if bits_col is None and "bits_int" not in header:
            raise InputError(
                "not a per-epoch bits CSV: missing column bits_hex, bits or bits_int",
                path=str(p),
                line=1,
            )
        any_rows = False
        for block in f.blocks():
            out = [
                Located(line, _epoch_row(Field(p, line, row), header, bits_col))
                for line, row in block
            ]
            any_rows = True
            yield out
        if not any_rows:
            raise InputError("no data rows", path=str(p), line=2)


def _read_checkpoints(p: Path, text: TextFile) -> list[Located]:
    body = text.header + "\n"
    size = len(body)
    parts = [body]
    for _, block in text.blocks():
        size += len(block)
        if size > MAX_JSON_BYTES:
            raise InputError("is larger than 16 MiB: not an Electrum checkpoints file", path=str(p))
        parts.append(block.decode("utf-8"))
    try:
        data = json.loads("".join(parts))
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", path=str(p), line=exc.lineno) from exc
    except RecursionError:
        raise InputError("malformed JSON: nested too deeply", path=str(p)) from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise InputError(
            "malformed JSON: an integer with thousands of digits", path=str(p)
        ) from None
    return _epochs_from_checkpoints(p, data)


def read_text_file(path: str | Path, *, max_bytes: int = MAX_JSON_BYTES) -> str:
    """A whole small text file (config, fleet, catalog), read as safely as the imports.

    A FIFO, a device, a directory, a file over ``max_bytes``, a NUL byte or bytes that
    are not UTF-8 are refused with one line naming the file (and the line). A leading
    UTF-8 byte-order mark is dropped. [bytes]
    """
    p = Path(path)
    with TextFile(p) as text:
        parts = [text.header + "\n"]
        size = len(parts[0])
        for _, block in text.blocks():
            size += len(block)
            if size > max_bytes:
                raise InputError(f"is larger than {max_bytes:,} bytes", path=str(p))
            parts.append(block.decode("utf-8"))
    return "".join(parts)


def read_epochs_file(path: str | Path) -> list[Located]:
    """Every epoch of :func:`read_epochs` in one list."""
    return [x for block in read_epochs(path) for x in block]


# --- daily network rows ---------------------------------------------------------------

DAILY_COLUMNS = (
    "BlkCnt",
    "DiffMean",
    "IssTotNtv",
    "FeeTotNtv",
    "PriceUSD",
    "IssTotUSD",
    "FeeTotUSD",
)
_SUBSIDY_MAX_BTC: Final = 50


def _to_sat(amount_btc: float | None) -> int | None:
    return None if amount_btc is None else int(round(amount_btc * SAT_PER_BTC))


def _daily_row(f: Field, header: list[str], kind: str, now_s: int | None) -> DailyRecord:
    if "asset" in header and f.raw("asset").lower() != "btc":
        raise f.fail("asset", f"{shown(f.raw('asset'))} is not btc")
    day = f.date_("date", now_s=now_s)
    blocks = (
        f.int_(
            "BlkCnt",
            optional=True,
            maximum=limits.MAX_BLOCKS_PER_DAY,
            what=" blocks in a day (at most 6 blocks a second fit Core's time rule)",
        )
        if "BlkCnt" in header
        else None
    )
    difficulty = (
        f.float_(
            "DiffMean",
            minimum=limits.MIN_DIFFICULTY,
            maximum=limits.MAX_DIFFICULTY,
            what=" (difficulty runs from 1 to that of target 1)",
        )
        if "DiffMean" in header
        else None
    )
    price = (
        f.float_(
            "PriceUSD",
            positive=True,
            minimum=limits.MIN_PRICE_USD,
            maximum=limits.MAX_PRICE_USD,
            what=" USD per BTC",
        )
        if "PriceUSD" in header
        else None
    )
    money = {
        "maximum": float(limits.MAX_MONEY_BTC),
        "what": " BTC (21,000,000 BTC is all there is)",
    }
    issuance = _to_sat(f.float_("IssTotNtv", **money)) if "IssTotNtv" in header else None  # type: ignore[arg-type]
    fees = _to_sat(f.float_("FeeTotNtv", **money)) if "FeeTotNtv" in header else None  # type: ignore[arg-type]
    usd_max = limits.MAX_MONEY_BTC * limits.MAX_PRICE_USD
    if issuance is None and "IssTotUSD" in header and price:
        usd = f.float_("IssTotUSD", maximum=usd_max)
        issuance = None if usd is None else _to_sat(usd / price)
        if issuance is not None and issuance > limits.MAX_MONEY_SAT:
            raise f.fail("IssTotUSD", "IssTotUSD / PriceUSD is more than 21,000,000 BTC")
    if fees is None and "FeeTotUSD" in header and price:
        usd = f.float_("FeeTotUSD", maximum=usd_max)
        fees = None if usd is None else _to_sat(usd / price)
        if fees is not None and fees > limits.MAX_MONEY_SAT:
            raise f.fail("FeeTotUSD", "FeeTotUSD / PriceUSD is more than 21,000,000 BTC")
    if (
        blocks is not None
        and issuance is not None
        and issuance > blocks * _SUBSIDY_MAX_BTC * SAT_PER_BTC
    ):
        column = "IssTotNtv" if "IssTotNtv" in header and f.raw("IssTotNtv") else "IssTotUSD"
        raise f.fail(
            column,
            f"{issuance / SAT_PER_BTC:g} BTC issued by {blocks} blocks: more than 50 BTC a block",
        )
    source = f"combined/{f.raw('src_diff_hashrate') or 'unknown'}" if kind == "combined" else kind
    return DailyRecord(day, blocks, difficulty, issuance, fees, price, source)


def read_daily(path: str | Path, *, now_s: int | None = None) -> Iterator[list[Located]]:
    """Daily network rows with Coin Metrics column names, a block of lines at a time.

    Recognised columns: ``date``; ``BlkCnt``, ``DiffMean``, ``IssTotNtv`` and ``FeeTotNtv``
    (BTC), ``PriceUSD``; where the native amounts are absent (the ``cm_community`` dump),
    ``IssTotUSD`` and ``FeeTotUSD`` divided by ``PriceUSD``. The combined file's
    ``src_diff_hashrate`` column becomes each row's source. An ``asset`` column must
    read ``btc``. Dates run from 2009-01-03 to today (``now_s``); block counts, difficulty,
    amounts and prices must lie within :mod:`~minerscope.sources.limits`.
    """
    p = Path(path)
    with CsvFile(p) as f:
        f.require(["date"], "daily network CSV")
        header = f.header
        if not any(c in header for c in DAILY_COLUMNS):
            raise InputError(
                "not a daily network CSV: none of the Coin Metrics columns "
                + ", ".join(DAILY_COLUMNS),
                path=str(p),
                line=1,
            )
        kind = (
            "combined"
            if "src_diff_hashrate" in header
            else "cm_community"
            if "asset" in header
            else "coinmetrics"
        )
        any_rows = False
        for block in f.blocks():
            any_rows = True
            yield [
                Located(line, _daily_row(Field(p, line, row), header, kind, now_s))
                for line, row in block
            ]
        if not any_rows:
            raise InputError("no data rows", path=str(p), line=2)


def read_daily_csv(path: str | Path, *, now_s: int | None = None) -> list[Located]:
    """Every row of :func:`read_daily` in one list."""
    return [x for block in read_daily(path, now_s=now_s) for x in block]


# --- prices ---------------------------------------------------------------------------

TIME_COLUMNS = ("time_s", "timestamp", "time", "datetime", "date")
PRICE_COLUMNS = ("price_usd", "close", "c", "PriceUSD", "price", "close_usd", "market_price_usd_1d")
_MS_THRESHOLD: Final = 1e12  # Unix times at or above this are milliseconds
_MS_PER_S: Final = 1000.0


def _day_end_s(day: str) -> int:
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)
    return int((start + timedelta(days=1)).timestamp())


def _parse_time(f: Field, name: str, now_s: int | None) -> int:
    text = f.raw(name)
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        moment = _day_end_s(f.date_(name, now_s=None))
    elif re.fullmatch(r"-?[0-9]{1,20}(\.[0-9]+)?", text):
        value = float(text)
        if value < 0:
            raise f.fail(name, f"{shown(text)} is a negative time")
        if value >= _MS_THRESHOLD:  # milliseconds (mempool, exchanges): convert at the edge
            value /= _MS_PER_S
        moment = int(value)
    else:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise f.fail(
                name, f"{shown(text)} is not a date, an ISO-8601 time or Unix seconds"
            ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        if parsed.time() == datetime.min.time() and parsed.utcoffset() == timedelta(0):
            # A midnight-stamped daily row (Coin Metrics style) is that day's close.
            moment = _day_end_s(parsed.date().isoformat())
        else:
            try:
                moment = int(parsed.timestamp())
            except (OverflowError, OSError, ValueError):
                raise f.fail(name, f"{shown(text)} is out of range") from None
    if moment < limits.GENESIS_TIME_S:
        raise f.fail(name, f"{shown(text)} is before the first block (2009-01-03T18:15:05Z)")
    latest = limits.max_time_s(now_s)
    if moment > latest:
        why = "is in the future" if now_s is not None else "is after the year 2106"
        raise f.fail(name, f"{shown(text)} {why}")
    return moment


def default_price_source(path: Path) -> str:
    """A source name from a price file's name (``bitstamp``, ``coinmetrics`` ...)."""
    name = path.name.lower()
    for key, source in (
        ("bitstamp", "bitstamp"),
        ("blockchaincom", "blockchaincom"),
        ("cm_", "coinmetrics"),
        ("coinmetrics", "coinmetrics"),
        ("btc_daily_network", "coinmetrics"),
    ):
        if key in name:
            return source
    return path.stem


class PriceFile(CsvFile):
    """A BTC/USD price CSV: its time and price columns are chosen on opening."""

    def __init__(
        self,
        path: str | Path,
        *,
        source: str | None = None,
        time_column: str | None = None,
        price_column: str | None = None,
    ) -> None:
        super().__init__(path)
        try:
            self.time_column = self._pick(time_column, TIME_COLUMNS, "time")
            self.price_column = self._pick(price_column, PRICE_COLUMNS, "price")
        except BaseException:
            self._text.close()
            raise
        self.source = source or default_price_source(self.path)

    def _pick(self, given: str | None, candidates: tuple[str, ...], what: str) -> str:
        if given is not None:
            if given not in self.header:
                raise InputError(
                    f"no column {given!r} (found: {', '.join(self.header)})",
                    path=str(self.path),
                    line=1,
                )
            return given
        for c in candidates:
            if c in self.header:
                return c
        raise InputError(
            f"not a price CSV: no {what} column among {', '.join(candidates)};"
            f" name it with --{what}-column",
            path=str(self.path),
            line=1,
        )

    def prices(self, *, now_s: int | None = None) -> Iterator[list[Located]]:
        """The prices, a block of lines at a time (see :func:`read_price_csv`)."""
        tcol, pcol = self.time_column, self.price_column
        for block in self.blocks():
            out: list[Located] = []
            for line, row in block:
                f = Field(self.path, line, row)
                if f.raw(pcol) == "":
                    continue
                price = f.float_(
                    pcol, optional=False, maximum=limits.MAX_PRICE_USD, what=" USD per BTC"
                )
                if price is not None and 0 < price < limits.MIN_PRICE_USD:
                    raise f.fail(pcol, f"{price:g} is below {limits.MIN_PRICE_USD:g} USD per BTC")
                if price == 0:  # blockchain.com writes 0 where there was no market yet
                    continue
                assert price is not None
                out.append(
                    Located(line, PriceRecord(self.source, _parse_time(f, tcol, now_s), price))
                )
            yield out


def read_price_csv(
    path: str | Path,
    *,
    source: str | None = None,
    time_column: str | None = None,
    price_column: str | None = None,
    now_s: int | None = None,
) -> list[Located]:
    """Read BTC/USD prices from a CSV with a date or time column and a close or price column.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    source : str, optional
        Source name stored with each price; default from the file name.
    time_column, price_column : str, optional
        Column names when they are not recognised automatically. Recognised time
        columns: ``time_s``, ``timestamp``, ``time``, ``datetime``, ``date``; price
        columns: ``price_usd``, ``close``, ``c``, ``PriceUSD``, ``price``, ``close_usd``,
        ``market_price_usd_1d``.
    now_s : int, optional
        The clock: later times are refused. [Unix s]

    Notes
    -----
    A date (or a midnight UTC stamp) is a daily close and is stamped at the end of its
    day (next 00:00:00Z): it was not known before then. Unix times in milliseconds
    (values >= 1e12) are converted to seconds. Rows with an empty or zero price (no
    market yet, as blockchain.com writes it) are skipped; a negative, non-numeric or
    implausible price (above 1e9 USD) is an error, as is a time before the genesis block.
    """
    with PriceFile(path, source=source, time_column=time_column, price_column=price_column) as f:
        return [x for block in f.prices(now_s=now_s) for x in block]


# --- MVRV ratio -----------------------------------------------------------------------

MVRV_COLUMNS = ("CapMVRVCur", "mvrv", "mvrv_ratio")
#: A market cap above a thousand times the realised cap has never happened (Coin Metrics'
#: CapMVRVCur stayed below 10 since 2010): above this, a column is in the wrong unit.
MAX_MVRV_RATIO: Final = 1_000.0


def read_mvrv_csv(
    path: str | Path, *, source: str | None = None, now_s: int | None = None
) -> list[Located]:
    """Read daily MVRV ratios (market cap over realised cap) from a CSV.

    Parameters
    ----------
    path : str or Path
        A CSV with a ``date`` column and one of ``CapMVRVCur`` (Coin Metrics' name),
        ``mvrv`` or ``mvrv_ratio``.
    source : str, optional
        Source name stored with each ratio; default from the file name (``coinmetrics``
        for the Coin Metrics files).
    now_s : int, optional
        The clock: a date after its day is refused. [Unix s]

    Notes
    -----
    A date's ratio is the one at that day's close. Rows with an empty ratio are skipped;
    a zero, negative, non-numeric or implausible ratio is an error naming the line.
    """
    p = Path(path)
    out: list[Located] = []
    with CsvFile(p) as f:
        f.require(["date"], "daily MVRV CSV")
        col = next((c for c in MVRV_COLUMNS if c in f.header), None)
        if col is None:
            raise InputError(
                f"not an MVRV CSV: no column among {', '.join(MVRV_COLUMNS)}", path=str(p), line=1
            )
        name = source or default_price_source(p)
        seen: dict[str, int] = {}
        for block in f.blocks():
            for line, row in block:
                fld = Field(p, line, row)
                if fld.raw(col) == "":
                    continue
                value = fld.float_(
                    col, maximum=MAX_MVRV_RATIO, positive=True, optional=False, what=" (a ratio)"
                )
                day = fld.date_("date", now_s=now_s)
                if day in seen:
                    raise fld.fail("date", f"{day} repeats line {seen[day]}")
                seen[day] = line
                assert value is not None
                out.append(Located(line, MvrvRecord(name, day, value)))
    if not out:
        raise InputError(f"no ratios in column {col!r}", path=str(p), line=2)
    return out


__all__ = [
    "DAILY_COLUMNS",
    "MAINNET_GENESIS_BITS",
    "PRICE_COLUMNS",
    "TIME_COLUMNS",
    "CsvFile",
    "Located",
    "PriceFile",
    "bits_problem",
    "default_price_source",
    "locate",
    "read_daily",
    "read_daily_csv",
    "read_epochs",
    "read_epochs_file",
    "read_mvrv_csv",
    "read_price_csv",
    "read_text_file",
    "records",
]
