"""Readers for the offline file formats: Bitcoin Core getblockstats CSV, Electrum checkpoints
JSON, per-epoch bits CSV, daily network CSV with Coin Metrics column names, and price CSVs.

Every reader validates the whole file before anything is written and raises
:class:`~minerscope.errors.InputError` naming the file, the line (1 = header) and the field.
``read_*`` takes a path; the records it returns use our names and units.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from ..consensus import (
    MAINNET,
    CompactError,
    bits_from_target,
    block_subsidy_sat,
    target_from_bits,
)
from ..errors import InputError
from ..records import BlockRecord, DailyRecord, EpochRecord, MvrvRecord, PriceRecord
from ..units import SAT_PER_BTC

T = TypeVar("T")
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
_EPOCH_LEN = MAINNET.difficulty_adjustment_interval


@dataclass(frozen=True)
class Located:
    """A record and where it came from (a CSV line, or a label such as a JSON entry)."""

    line: int | None
    record: Any
    label: str | None = None


# --- low-level CSV helpers ------------------------------------------------------------


def _open_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("not a UTF-8 text file", path=str(path)) from exc


def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and an iterator of (line number, row dict); rejects short or long lines."""
    text = _open_text(path)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError("empty file: expected a CSV header line", path=str(path), line=1)
    reader = csv.reader(lines)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise InputError(f"malformed CSV header: {exc}", path=str(path), line=1) from exc
    if len(set(header)) != len(header):
        raise InputError("duplicate column names in the header", path=str(path), line=1)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        line_no = 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(
                    f"malformed CSV: {exc}", path=str(path), line=reader.line_num
                ) from exc
            line_no = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) != len(header):
                raise InputError(
                    f"expected {len(header)} fields, found {len(values)} (truncated or extra"
                    " fields)",
                    path=str(path),
                    line=line_no,
                )
            yield line_no, dict(zip(header, values, strict=True))

    return header, rows()


def _require_columns(path: Path, header: list[str], needed: list[str], what: str) -> None:
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(
            f"not a {what} file: missing column(s) {', '.join(missing)}"
            f" (found: {', '.join(header[:12])}{'...' if len(header) > 12 else ''})",
            path=str(path),
            line=1,
        )


class _Field:
    """Parses one field of one line with an error that names file, line and field."""

    def __init__(self, path: Path, line: int, row: dict[str, str]) -> None:
        self.path = str(path)
        self.line = line
        self.row = row

    def fail(self, name: str, why: str) -> InputError:
        return InputError(why, path=self.path, line=self.line, field=name)

    def raw(self, name: str) -> str:
        return self.row.get(name, "").strip()

    def int_(self, name: str, *, minimum: int | None = 0, optional: bool = False) -> int | None:
        text = self.raw(name)
        if text == "":
            if optional:
                return None
            raise self.fail(name, "empty value")
        try:
            value = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise self.fail(name, f"{text!r} is not an integer") from None
            if not math.isfinite(as_float) or as_float != int(as_float):
                raise self.fail(name, f"{text!r} is not an integer") from None
            value = int(as_float)
        if minimum is not None and value < minimum:
            raise self.fail(
                name, f"{value} is negative" if minimum == 0 else f"{value} < {minimum}"
            )
        return value

    def float_(self, name: str, *, positive: bool = False, optional: bool = True) -> float | None:
        text = self.raw(name)
        if text == "":
            if optional:
                return None
            raise self.fail(name, "empty value")
        try:
            value = float(text)
        except ValueError:
            raise self.fail(name, f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise self.fail(name, f"{text!r} is not a finite number")
        if value < 0:
            raise self.fail(name, f"{value} is negative")
        if positive and value == 0:
            raise self.fail(name, "must be greater than zero")
        return value

    def hash_(self, name: str) -> str:
        text = self.raw(name).lower()
        if not _HASH_RE.match(text):
            raise self.fail(name, f"{text!r} is not a 64-hex-digit block hash")
        return text

    def date_(self, name: str) -> str:
        text = self.raw(name)
        day = text[:10]
        try:
            date.fromisoformat(day)
        except ValueError:
            raise self.fail(name, f"{text!r} is not a date (YYYY-MM-DD)") from None
        rest = text[10:]
        if rest and not re.match(r"^T00:00:00(\.0+)?Z?$", rest):
            raise self.fail(name, f"{text!r} is not a whole UTC day")
        return day

    def bits_(self, name: str) -> int:
        text = self.raw(name)
        try:
            value = int(text, 16) if re.fullmatch(r"(0x)?[0-9a-fA-F]{8}", text) else int(text)
        except ValueError:
            raise self.fail(name, f"{text!r} is not a compact target (8 hex digits)") from None
        try:
            target_from_bits(value)
        except CompactError as exc:
            raise self.fail(name, str(exc)) from None
        return value


# --- blockstats -----------------------------------------------------------------------

BLOCKSTATS_REQUIRED = ["height", "blockhash", "time"]


def read_blockstats_csv(path: str | Path) -> list[Located]:
    """Read Bitcoin Core ``getblockstats`` rows (one block a line) into block records.

    Columns used: ``height``, ``blockhash``, ``time`` (required); ``mediantime``, ``txs``,
    ``total_size``, ``total_weight``, ``totalfee`` and ``subsidy`` (sat), and ``bits``
    (hex) when present. The subsidy must equal the consensus schedule at that height,
    and heights must not repeat.
    """
    p = Path(path)
    header, rows = _csv_rows(p)
    _require_columns(p, header, BLOCKSTATS_REQUIRED, "getblockstats CSV")
    has_bits = "bits" in header
    out: list[Located] = []
    seen: dict[int, int] = {}
    for line, row in rows:
        f = _Field(p, line, row)
        height = f.int_("height")
        assert height is not None
        if height in seen:
            raise f.fail("height", f"height {height} repeats line {seen[height]}")
        seen[height] = line
        subsidy = f.int_("subsidy", optional=True) if "subsidy" in header else None
        if subsidy is not None and subsidy != block_subsidy_sat(height):
            raise f.fail(
                "subsidy",
                f"{subsidy} sat is not the consensus subsidy at height {height}"
                f" ({block_subsidy_sat(height)} sat)",
            )
        time_s = f.int_("time")
        assert time_s is not None
        record = BlockRecord(
            height=height,
            hash=f.hash_("blockhash"),
            time_s=time_s,
            median_time_s=f.int_("mediantime", optional=True) if "mediantime" in header else None,
            bits=f.bits_("bits") if has_bits and f.raw("bits") else None,
            fees_sat=f.int_("totalfee", optional=True) if "totalfee" in header else None,
            subsidy_sat=subsidy,
            tx_count=f.int_("txs", optional=True) if "txs" in header else None,
            size_bytes=f.int_("total_size", optional=True) if "total_size" in header else None,
            weight_wu=f.int_("total_weight", optional=True) if "total_weight" in header else None,
        )
        out.append(Located(line, record))
    if not out:
        raise InputError("no data rows", path=str(p), line=2)
    return out


# --- epochs ---------------------------------------------------------------------------


def _epochs_from_checkpoints(p: Path, data: Any) -> list[Located]:
    """Electrum checkpoints: entry i = [hash of block (i+1)*2016-1, target of epoch i+1]."""
    if not isinstance(data, list) or not data:
        raise InputError("not an Electrum checkpoints file: expected a JSON list", path=str(p))
    out: list[Located] = []
    bits_of_epoch = MAINNET_GENESIS_BITS
    for i, entry in enumerate(data):
        where = f"checkpoint entry {i}"
        if not (isinstance(entry, list) and len(entry) == 2):
            raise InputError(f"{where}: expected [block_hash, target]", path=str(p))
        block_hash, target = entry
        if not isinstance(block_hash, str) or not _HASH_RE.match(block_hash):
            raise InputError(f"{where}: {block_hash!r} is not a block hash", path=str(p))
        if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
            raise InputError(f"{where}: target must be a positive integer", path=str(p))
        bits = bits_from_target(target)
        if target_from_bits(bits) != target:
            raise InputError(
                f"{where}: target {target:#x} has no exact compact encoding", path=str(p)
            )
        out.append(Located(None, EpochRecord(i, i * _EPOCH_LEN, bits_of_epoch, block_hash), where))
        bits_of_epoch = bits
    n = len(data)
    out.append(
        Located(
            None, EpochRecord(n, n * _EPOCH_LEN, bits_of_epoch, None), f"checkpoint entry {n - 1}"
        )
    )
    return out


MAINNET_GENESIS_BITS = 0x1D00FFFF


def _epochs_from_csv(p: Path) -> list[Located]:
    header, rows = _csv_rows(p)
    _require_columns(p, header, ["epoch", "start_height"], "per-epoch bits CSV")
    bits_col = "bits_hex" if "bits_hex" in header else "bits" if "bits" in header else None
    if bits_col is None and "bits_int" not in header:
        raise InputError(
            "not a per-epoch bits CSV: missing column bits_hex, bits or bits_int",
            path=str(p),
            line=1,
        )
    out: list[Located] = []
    for line, row in rows:
        f = _Field(p, line, row)
        epoch = f.int_("epoch")
        start = f.int_("start_height")
        assert epoch is not None and start is not None
        if start != epoch * _EPOCH_LEN:
            raise f.fail("start_height", f"{start} is not epoch {epoch} x 2016 = {epoch * 2016}")
        bits = f.bits_(bits_col) if bits_col else f.bits_("bits_int")
        if bits_col and "bits_int" in header and f.raw("bits_int"):
            as_int = f.int_("bits_int")
            if as_int != bits:
                raise f.fail("bits_int", f"{as_int} disagrees with {bits_col} {bits:08x}")
        end_hash = None
        if "end_block_hash" in header and f.raw("end_block_hash"):
            end_hash = f.hash_("end_block_hash")
        out.append(Located(line, EpochRecord(epoch, start, bits, end_hash)))
    if not out:
        raise InputError("no data rows", path=str(p), line=2)
    return out


def read_epochs_file(path: str | Path) -> list[Located]:
    """Read epochs from Electrum's checkpoints JSON or a per-epoch bits CSV.

    Notes
    -----
    Electrum's entry *i* holds the hash of block (i+1)*2016-1 (the last of epoch *i*) and
    the target *used by epoch i+1* (see ``../shared/data/SOURCES.md``). Epoch 0 uses
    0x1d00ffff. Every target must have an exact compact encoding.
    """
    p = Path(path)
    text = _open_text(p)
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}", path=str(p), line=exc.lineno) from exc
        return _epochs_from_checkpoints(p, data)
    return _epochs_from_csv(p)


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


def _to_sat(amount_btc: float | None) -> int | None:
    return None if amount_btc is None else int(round(amount_btc * SAT_PER_BTC))


def read_daily_csv(path: str | Path) -> list[Located]:
    """Read daily network rows with Coin Metrics column names.

    Recognised columns: ``date``; ``BlkCnt``, ``DiffMean``, ``IssTotNtv`` and ``FeeTotNtv``
    (BTC), ``PriceUSD``; where the native amounts are absent (the ``cm_community`` dump),
    ``IssTotUSD`` and ``FeeTotUSD`` divided by ``PriceUSD``. The combined file's
    ``src_diff_hashrate`` column becomes each row's source. An ``asset`` column must
    read ``btc``.
    """
    p = Path(path)
    header, rows = _csv_rows(p)
    _require_columns(p, header, ["date"], "daily network CSV")
    if not any(c in header for c in DAILY_COLUMNS):
        raise InputError(
            "not a daily network CSV: none of the Coin Metrics columns " + ", ".join(DAILY_COLUMNS),
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
    out: list[Located] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        f = _Field(p, line, row)
        if "asset" in header and f.raw("asset").lower() != "btc":
            raise f.fail("asset", f"{f.raw('asset')!r} is not btc")
        day = f.date_("date")
        if day in seen:
            raise f.fail("date", f"{day} repeats line {seen[day]}")
        seen[day] = line
        blocks = f.int_("BlkCnt", optional=True) if "BlkCnt" in header else None
        difficulty = f.float_("DiffMean", positive=True) if "DiffMean" in header else None
        price = f.float_("PriceUSD", positive=True) if "PriceUSD" in header else None
        issuance = _to_sat(f.float_("IssTotNtv")) if "IssTotNtv" in header else None
        fees = _to_sat(f.float_("FeeTotNtv")) if "FeeTotNtv" in header else None
        if issuance is None and "IssTotUSD" in header and price:
            usd = f.float_("IssTotUSD")
            issuance = None if usd is None else _to_sat(usd / price)
        if fees is None and "FeeTotUSD" in header and price:
            usd = f.float_("FeeTotUSD")
            fees = None if usd is None else _to_sat(usd / price)
        source = (
            f"combined/{f.raw('src_diff_hashrate') or 'unknown'}" if kind == "combined" else kind
        )
        out.append(
            Located(line, DailyRecord(day, blocks, difficulty, issuance, fees, price, source))
        )
    if not out:
        raise InputError("no data rows", path=str(p), line=2)
    return out


# --- prices ---------------------------------------------------------------------------

TIME_COLUMNS = ("time_s", "timestamp", "time", "datetime", "date")
PRICE_COLUMNS = ("price_usd", "close", "c", "PriceUSD", "price", "close_usd", "market_price_usd_1d")


def _day_end_s(day: str) -> int:
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)
    return int((start + timedelta(days=1)).timestamp())


def _parse_time(f: _Field, name: str) -> int:
    text = f.raw(name)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return _day_end_s(f.date_(name))
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        value = float(text)
        if value >= 1e12:  # milliseconds (mempool, exchanges): convert at the edge
            value /= 1000.0
        if value < 0:
            raise f.fail(name, f"{text!r} is a negative time")
        return int(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise f.fail(name, f"{text!r} is not a date, an ISO-8601 time or Unix seconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.time() == datetime.min.time() and moment.utcoffset() == timedelta(0):
        # A midnight-stamped daily row (Coin Metrics style) is that day's close.
        return _day_end_s(moment.date().isoformat())
    return int(moment.timestamp())


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


def read_price_csv(
    path: str | Path,
    *,
    source: str | None = None,
    time_column: str | None = None,
    price_column: str | None = None,
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

    Notes
    -----
    A date (or a midnight UTC stamp) is a daily close and is stamped at the end of its
    day (next 00:00:00Z): it was not known before then. Unix times in milliseconds
    (values >= 1e12) are converted to seconds. Rows with an empty or zero price (no
    market yet, as blockchain.com writes it) are skipped; a negative or non-numeric
    price is an error.
    """
    p = Path(path)
    header, rows = _csv_rows(p)

    def pick(given: str | None, candidates: tuple[str, ...], what: str) -> str:
        if given is not None:
            if given not in header:
                raise InputError(
                    f"no column {given!r} (found: {', '.join(header)})", path=str(p), line=1
                )
            return given
        for c in candidates:
            if c in header:
                return c
        raise InputError(
            f"not a price CSV: no {what} column among {', '.join(candidates)};"
            f" name it with --{what}-column",
            path=str(p),
            line=1,
        )

    tcol = pick(time_column, TIME_COLUMNS, "time")
    pcol = pick(price_column, PRICE_COLUMNS, "price")
    name = source or default_price_source(p)
    out: list[Located] = []
    seen: dict[int, int] = {}
    for line, row in rows:
        f = _Field(p, line, row)
        if f.raw(pcol) == "":
            continue
        price = f.float_(pcol, optional=False)
        if price == 0:  # blockchain.com writes 0 where there was no market yet
            continue
        time_s = _parse_time(f, tcol)
        if time_s in seen:
            raise f.fail(tcol, f"time repeats line {seen[time_s]}")
        seen[time_s] = line
        assert price is not None
        out.append(Located(line, PriceRecord(name, time_s, price)))
    if not out:
        raise InputError(f"no prices in column {pcol!r}", path=str(p), line=2)
    return out


# --- MVRV ratio -----------------------------------------------------------------------

MVRV_COLUMNS = ("CapMVRVCur", "mvrv", "mvrv_ratio")


def read_mvrv_csv(path: str | Path, *, source: str | None = None) -> list[Located]:
    """Read daily MVRV ratios (market cap over realised cap) from a CSV.

    Parameters
    ----------
    path : str or Path
        A CSV with a ``date`` column and one of ``CapMVRVCur`` (Coin Metrics' name),
        ``mvrv`` or ``mvrv_ratio``.
    source : str, optional
        Source name stored with each ratio; default from the file name (``coinmetrics``
        for the Coin Metrics files).

    Notes
    -----
    A date's ratio is the one at that day's close. Rows with an empty ratio are skipped;
    a zero, negative or non-numeric ratio is an error naming the line.
    """
    p = Path(path)
    header, rows = _csv_rows(p)
    _require_columns(p, header, ["date"], "daily MVRV CSV")
    col = next((c for c in MVRV_COLUMNS if c in header), None)
    if col is None:
        raise InputError(
            f"not an MVRV CSV: no column among {', '.join(MVRV_COLUMNS)}", path=str(p), line=1
        )
    name = source or default_price_source(p)
    out: list[Located] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        f = _Field(p, line, row)
        if f.raw(col) == "":
            continue
        value = f.float_(col, positive=True, optional=False)
        day = f.date_("date")
        if day in seen:
            raise f.fail("date", f"{day} repeats line {seen[day]}")
        seen[day] = line
        assert value is not None
        out.append(Located(line, MvrvRecord(name, day, value)))
    if not out:
        raise InputError(f"no ratios in column {col!r}", path=str(p), line=2)
    return out


def records(located: list[Located]) -> list[Any]:
    """The records of a located list, in file order."""
    return [x.record for x in located]


def locate(located: list[Located], key: Callable[[Any], T]) -> dict[T, Located]:
    """Map from a record key to where it came from."""
    return {key(x.record): x for x in located}
