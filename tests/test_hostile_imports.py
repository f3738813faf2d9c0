"""Hostile files against every import: each is refused with one line naming file, line and
field, and the database is left exactly as it was; what the real chain does is accepted.

The mutated files are cut from the real reference files (400 getblockstats lines, the first
500 daily rows ...), so every case differs from real data in exactly the way it names.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from minerscope import ingest, storage
from minerscope.errors import ConflictError, InputError
from minerscope.sources import _textfile
from minerscope.sources.blockstats import BlockstatsFile, expected_subsidy_sat
from tests.conftest import BITSTAMP_CSV, BLOCKSTATS_CSV, DAILY_CSV, EPOCHS_CSV

# 2026-12-01T00:00:00Z: a clock after every reference file, fixed so tests do not age.
NOW_S = 1_796_083_200
SEED_LINES = 301  # the header and heights 909,458 .. 909,757


def dump(conn: sqlite3.Connection) -> list[str]:
    """Every row of every table, as SQL (the database's exact content)."""
    return list(conn.iterdump())


@pytest.fixture(scope="module")
def block_lines(shared_data: Path) -> list[str]:
    return (shared_data / BLOCKSTATS_CSV).read_text().splitlines()[:400]


@pytest.fixture
def seeded(
    fresh_db: sqlite3.Connection, shared_data: Path, tmp_path: Path, block_lines: list[str]
) -> sqlite3.Connection:
    ingest.import_epochs(fresh_db, shared_data / EPOCHS_CSV)
    head = tmp_path / "seed.csv"
    head.write_text("\n".join(block_lines[:SEED_LINES]) + "\n")
    ingest.import_blockstats(fresh_db, head, now_s=NOW_S)
    return fresh_db


def _set(lines: list[str], line_no: int, column: str, value: str) -> list[str]:
    header = lines[0].split(",")
    out = list(lines)
    cells = out[line_no - 1].split(",")
    cells[header.index(column)] = value
    out[line_no - 1] = ",".join(cells)
    return out


def _write(tmp_path: Path, name: str, lines: list[str] | str, *, newline: str = "\n") -> Path:
    path = tmp_path / name
    text = lines if isinstance(lines, str) else newline.join(lines) + newline
    path.write_bytes(text.encode("utf-8"))
    return path


def _time(lines: list[str], line_no: int) -> int:
    return int(lines[line_no - 1].split(",")[2])


def _refused(
    conn: sqlite3.Connection,
    run: Callable[[], object],
    path: Path,
    line: int | None,
    field: str | None,
    reason: str,
) -> InputError:
    before = dump(conn)
    with pytest.raises(InputError) as info:
        run()
    err = info.value
    assert (err.path, err.line, err.field) == (str(path), line, field), str(err)
    assert reason in str(err)
    assert "\n" not in str(err)
    assert dump(conn) == before
    return err


# --- getblockstats: every field within consensus and physical limits ---------------------

BLOCK_CASES = [
    # (name, column, value(lines) or str, reason)
    ("time 2^63-1", "time", str(2**63 - 1), "is too large"),
    ("time in ms", "time", "1755064864000", "does not fit a block header's 32-bit time"),
    ("time before genesis", "time", "1231006504", "is before the genesis block"),
    ("height 2^63", "height", str(2**63), "is too large"),
    ("height above int32", "height", "2147483648", "above the largest height 2^31-1"),
    ("fees above all bitcoin", "totalfee", "2100000000000001", "more than all bitcoin"),
    ("fees of 30 digits", "totalfee", "1" + "0" * 30, "is too large"),
    ("weight above 4M", "total_weight", "4000001", "above the block weight limit"),
    ("size above 4M", "total_size", "4000001", "above the block size limit"),
    ("size above weight", "total_size", "3999999", "is more than the block's weight"),
    ("weight above 4 x size", "total_size", "900000", "is more than 4 x the block's size"),
    ("no coinbase", "txs", "0", "every block has a coinbase"),
    ("too many transactions", "txs", "16667", "cannot fit in a block (at most 16,666)"),
    ("subsidy off schedule", "subsidy", "625000000", "is not the consensus subsidy"),
    ("mediantime after time", "mediantime", "1755064865", "is later than the block time"),
    ("unicode digits", "txs", "\u0661\u0662\u0663", "is not an integer"),
    ("underscores", "txs", "1_000", "is not an integer"),
    ("plus sign", "txs", "+5", "is not an integer"),
    ("nan", "txs", "nan", "is not an integer"),
    ("negative", "txs", "-5", "is negative"),
    ("short hash", "blockhash", "abc", "is not a 64-hex-digit block hash"),
]


@pytest.mark.parametrize(
    ("name", "column", "value", "reason"), BLOCK_CASES, ids=[c[0] for c in BLOCK_CASES]
)
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "strict"])
def test_blockstats_field_out_of_limits(
    seeded: sqlite3.Connection,
    tmp_path: Path,
    block_lines: list[str],
    name: str,
    column: str,
    value: str,
    reason: str,
    fast: bool,
) -> None:
    # Line 350 holds height 909,806, new to the database: the checks, not a conflict, refuse it.
    bad = _write(tmp_path, "bad.csv", _set(block_lines, 350, column, value))
    named = "total_weight" if name == "weight above 4 x size" else column
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, bad, now_s=NOW_S, fast=fast),
        bad,
        350,
        named,
        reason,
    )


def test_block_time_rules_are_cores(
    seeded: sqlite3.Connection, tmp_path: Path, block_lines: list[str]
) -> None:
    # A time before the parent's but after the median of the 11 before it: Core accepts it.
    earlier = _set(block_lines, 350, "time", str(_time(block_lines, 349) - 1))
    ok = ingest.import_blockstats(seeded, _write(tmp_path, "ok.csv", earlier), now_s=NOW_S)
    assert ok.counts.inserted == 399 - 300
    # Equal to the median time past of lines 339..349 (the 6th of the 11 sorted): refused.
    fresh = storage.connect(":memory:")
    mtp = sorted(_time(block_lines, n) for n in range(339, 350))[5]
    lines = _set(block_lines, 350, "time", str(mtp))
    lines = _set(lines, 350, "mediantime", str(mtp - 600))
    bad = _write(tmp_path, "old.csv", lines)
    err = _refused(
        fresh,
        lambda: ingest.import_blockstats(fresh, bad, now_s=NOW_S),
        bad,
        350,
        "time",
        "is not after the median time of the 11 blocks before it",
    )
    assert f"({mtp})" in str(err)
    # The clock is passed in: two hours ahead of it is the most Core allows.
    future = _set(block_lines, 399, "time", str(NOW_S + 7201))
    bad = _write(tmp_path, "future.csv", future)
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, bad, now_s=NOW_S),
        bad,
        399,
        "time",
        "is in the future",
    )
    ahead = _set(block_lines, 399, "time", str(NOW_S + 7200))
    assert (
        ingest.import_blockstats(
            fresh, _write(tmp_path, "a.csv", ahead[:1] + ahead[340:]), now_s=NOW_S
        ).rows_read
        == 60
    )


def test_a_file_starting_mid_chain_is_checked_against_stored_blocks(
    seeded: sqlite3.Connection, tmp_path: Path, block_lines: list[str]
) -> None:
    # Lines 302.. continue the stored 909,458..909,757; the first new block's time equals the
    # median of the 11 stored blocks before it.
    mtp = sorted(_time(block_lines, n) for n in range(291, 302))[5]
    lines = _set(block_lines, 302, "time", str(mtp))
    lines = _set(lines, 302, "mediantime", str(mtp - 600))
    bad = _write(tmp_path, "tail.csv", lines[:1] + lines[301:])
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, bad, now_s=NOW_S),
        bad,
        2,
        "time",
        "not after the median time",
    )
    # Blocks filled in below stored ones can break the stored ones' rule: the stored block
    # 909,657 (line 201) is checked against the new 909,646..909,656, six of which (lines
    # 195..200) are made a day later, so their median is later than 909,657's own time.
    fresh = storage.connect(":memory:")
    upper = _write(tmp_path, "upper.csv", block_lines[:1] + block_lines[200:])
    ingest.import_blockstats(fresh, upper, now_s=NOW_S)
    lines = list(block_lines)
    for n in range(195, 201):
        lines = _set(lines, n, "time", str(_time(block_lines, 201) + 86_400))
    lower = _write(tmp_path, "lower.csv", lines[:200])
    before = dump(fresh)
    with pytest.raises(ConflictError, match="the stored block 909657") as info:
        ingest.import_blockstats(fresh, lower, now_s=NOW_S)
    assert info.value.line == 200 and info.value.field == "time"
    assert dump(fresh) == before


def test_repeats_and_contradictions(
    seeded: sqlite3.Connection, tmp_path: Path, block_lines: list[str]
) -> None:
    dup = _write(tmp_path, "dup.csv", _set(block_lines, 350, "height", "909804"))
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, dup, now_s=NOW_S),
        dup,
        350,
        "height",
        "height 909804 repeats line 348",
    )
    same_hash = block_lines[348].split(",")[1]
    twin = _write(tmp_path, "twin.csv", _set(block_lines, 350, "blockhash", same_hash))
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, twin, now_s=NOW_S),
        twin,
        350,
        "blockhash",
        "is already stored at height 909805",
    )
    # A stored block with another time (same hash: the same header) is a contradiction.
    moved = _set(block_lines[:SEED_LINES], 100, "time", str(_time(block_lines, 100) + 1))
    moved_path = _write(tmp_path, "moved.csv", moved)
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, moved_path, now_s=NOW_S),
        moved_path,
        100,
        "time",
        "is stored with time",
    )
    # The hash at an epoch's end (911,231 ends epoch 451) must be Electrum's, stored with it.
    last = _write(
        tmp_path, "end.csv", ["height,blockhash,time", "911231," + "ab" * 32 + ",1756000000"]
    )
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, last, now_s=NOW_S),
        last,
        2,
        "blockhash",
        "ends epoch 451, whose stored last block hash is",
    )


def test_bits_must_match_the_stored_epoch_and_consensus(
    seeded: sqlite3.Connection, tmp_path: Path, block_lines: list[str]
) -> None:
    no_epochs = storage.connect(":memory:")
    with_bits = [block_lines[0] + ",bits"] + [line + ",17022cb3" for line in block_lines[1:]]
    assert ingest.import_blockstats(seeded, _write(tmp_path, "b.csv", with_bits), now_s=NOW_S)
    # Difficulty 1 at height 909,806 contradicts the stored epoch 451 (what made status show
    # 0 EH/s and quickstart blame the correct epochs file): refused at the block import.
    easy = [block_lines[0] + ",bits"] + [line + ",1d00ffff" for line in block_lines[1:]]
    easy_path = _write(tmp_path, "easy.csv", easy)
    _refused(
        seeded,
        lambda: ingest.import_blockstats(seeded, easy_path, now_s=NOW_S),
        easy_path,
        2,
        "bits",
        "but its epoch 451 is stored with bits 17022cb3",
    )
    bad = _write(tmp_path, "bad.csv", _set(with_bits, 350, "bits", "1d00ffff"))
    # Without epochs: one bits value per epoch ...
    _refused(
        no_epochs,
        lambda: ingest.import_blockstats(no_epochs, bad, now_s=NOW_S),
        bad,
        350,
        "bits",
        "differs from 17022cb3 on line 2 in the same epoch 451",
    )
    # ... a valid compact target no easier than the pow limit, met by the block hash ...
    for value, reason in (
        ("1e00ffff", "easier than the proof-of-work limit"),
        ("04923456", "not a valid compact target (negative)"),
        ("1701fca1x", "is not a compact target"),
        ("1600ffff", "does not meet the target"),
    ):
        path = _write(tmp_path, "v.csv", _set(with_bits, 2, "bits", value))
        _refused(
            no_epochs,
            lambda p=path: ingest.import_blockstats(no_epochs, p, now_s=NOW_S),
            path,
            2,
            "bits",
            reason,
        )
    # ... and at most 4x from the neighbouring epoch's (hashes of zeros meet any target).
    jump = _write(
        tmp_path,
        "jump.csv",
        "height,blockhash,time,bits\n"
        f"911230,{'00' * 31}01,1756000000,17022cb3\n"
        f"911231,{'00' * 31}02,1756000600,17022cb3\n"
        f"911232,{'00' * 31}03,1756001200,1c00ffff\n",
    )
    _refused(
        no_epochs,
        lambda: ingest.import_blockstats(no_epochs, jump, now_s=NOW_S),
        jump,
        4,
        "bits",
        "bits 1c00ffff of epoch 452 cannot follow 17022cb3 of epoch 451",
    )
    # ... and the epochs imported later must agree with the stored blocks (blamed on them).
    ingest.import_blockstats(no_epochs, _write(tmp_path, "b.csv", with_bits), now_s=NOW_S)
    wrong = _write(tmp_path, "e.csv", "epoch,start_height,bits_hex\n451,909216,17022cb4\n")
    with pytest.raises(ConflictError, match="contradict the bits 17022cb3 of the stored block"):
        ingest.import_epochs(no_epochs, wrong)


# --- files that are not what they claim ---------------------------------------------------


def test_encodings_line_ends_and_special_files(
    seeded: sqlite3.Connection, tmp_path: Path, block_lines: list[str]
) -> None:
    # Accepted: a UTF-8 byte-order mark, CRLF line ends, blank lines, a missing last newline.
    for name, text in (
        ("bom.csv", "\ufeff" + "\n".join(block_lines) + "\n"),
        ("crlf.csv", "\r\n".join(block_lines) + "\r\n"),
        ("blank.csv", "\n".join(block_lines[:200] + ["", "  "] + block_lines[200:])),
        ("quoted.csv", "\n".join(_set(block_lines, 350, "txs", '"3490"'))),
    ):
        rep = ingest.import_blockstats(seeded, _write(tmp_path, name, text), now_s=NOW_S)
        assert rep.rows_read == 399, name
    before = dump(seeded)
    cases: list[tuple[str, bytes, int | None, str]] = [
        (
            "nul.csv",
            "\n".join(block_lines).encode().replace(b"3490", b"34\x0090", 1),
            2,
            "NUL byte",
        ),
        (
            "latin1.csv",
            "\n".join(block_lines).encode().replace(b"3490", b"34\xe990", 1),
            2,
            "not UTF-8",
        ),
        ("utf16.csv", "\n".join(block_lines[:9]).encode("utf-16"), None, "UTF-16"),
        ("gzip.csv", b"\x1f\x8b\x08\x00rest", None, "gzip-compressed"),
        ("cr.csv", "\r".join(block_lines).encode(), 1, "carriage return inside a line"),
        ("empty.csv", b"", 1, "empty file"),
        ("header.csv", block_lines[0].encode() + b"\n", 2, "no data rows"),
        (
            "twice.csv",
            (block_lines[0] + ",height\n" + block_lines[1] + ",1\n").encode(),
            1,
            "column 'height' appears twice",
        ),
        (
            "cut.csv",
            "\n".join(block_lines[:399] + [block_lines[399][:60]]).encode(),
            400,
            "expected 24 fields, found 2",
        ),
        (
            "quote.csv",
            "\n".join(_set(block_lines, 350, "txs", '"3490')).encode(),
            350,
            "malformed CSV",
        ),
        ("other.csv", b"date,close\n2026-01-01,87000\n", 1, "not a getblockstats CSV"),
    ]
    for name, data, line, reason in cases:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError) as info:
            ingest.import_blockstats(seeded, path, now_s=NOW_S)
        assert info.value.line == line and reason in str(info.value), (name, str(info.value))
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    for path, reason in (
        (fifo, "not a regular file"),
        (Path("/dev/zero"), "not a regular file"),
        (tmp_path, "is a directory"),
        (tmp_path / "missing.csv", "no such file"),
    ):
        with pytest.raises(InputError, match=reason):
            ingest.import_blockstats(seeded, path, now_s=NOW_S)
    assert dump(seeded) == before


def test_the_subsidy_schedule_at_the_halvings() -> None:
    # Core's GetBlockSubsidy: 50 BTC >> (height // 210,000), 0 from the 64th halving.
    heights = np.array([0, 209_999, 210_000, 839_999, 840_000, 13_439_999, 13_440_000])
    expected = [5_000_000_000, 5_000_000_000, 2_500_000_000, 625_000_000, 312_500_000, 0, 0]
    assert expected_subsidy_sat(heights).tolist() == expected


def test_plain_blocks_take_the_fast_path(tmp_path: Path, block_lines: list[str]) -> None:
    plain_file = _write(tmp_path, "plain.csv", block_lines)
    quoted = _write(tmp_path, "q.csv", _set(block_lines, 350, "txs", '"3490"'))
    with BlockstatsFile(plain_file) as f:
        assert sum(len(r) for r in f.chunks()) == 399 and (f.fast_blocks, f.strict_blocks) == (1, 0)
    with BlockstatsFile(quoted) as f:
        assert sum(len(r) for r in f.chunks()) == 399 and (f.fast_blocks, f.strict_blocks) == (0, 1)


def test_fast_and_strict_readers_agree(
    fresh_db: sqlite3.Connection, shared_data: Path, tmp_path: Path, block_lines: list[str]
) -> None:
    # The numpy path and the line reader store exactly the same rows (the real file).
    strict = storage.connect(":memory:")
    ingest.import_blockstats(fresh_db, shared_data / BLOCKSTATS_CSV, now_s=NOW_S, fast=True)
    ingest.import_blockstats(strict, shared_data / BLOCKSTATS_CSV, now_s=NOW_S, fast=False)
    assert dump(fresh_db) == dump(strict)


# --- epochs, daily rows, prices -------------------------------------------------------


def test_epochs_refused(fresh_db: sqlite3.Connection, shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / EPOCHS_CSV).read_text().splitlines()
    header = "epoch,start_height,bits_hex"
    for name, text, line, field, reason in (
        (
            "dup",
            f"{header}\n0,0,1d00ffff\n1,2016,1d00ffff\n1,2016,1c00ffff\n",
            4,
            "epoch",
            "epoch 1 repeats line 3",
        ),
        (
            "jump",
            f"{header}\n0,0,1d00ffff\n1,2016,1c00ffff\n",
            None,
            "bits",
            "cannot follow 1d00ffff of epoch 0",
        ),
        ("easy", f"{header}\n5,10080,1e00ffff\n", 2, "bits_hex", "easier than the proof-of-work"),
        ("genesis", f"{header}\n0,0,1c00ffff\n", 2, "bits_hex", "epoch 0 uses the genesis bits"),
        ("huge", f"{header}\n{2**63},0,1d00ffff\n", 2, "epoch", "is above 1,065,220"),
        ("start", f"{header}\n3,1,1d00ffff\n", 2, "start_height", "is not epoch 3 x 2016"),
    ):
        path = _write(tmp_path, f"{name}.csv", text)
        err = _refused(
            fresh_db,
            lambda p=path: ingest.import_epochs(fresh_db, p),
            path,
            line if name != "jump" else 3,
            field,
            reason,
        )
        assert err
    # Consistent columns of the reference file are cross-checked (target, difficulty, end).
    for column, value, reason in (
        ("target_hex", "00" * 32, "is not the target of bits"),
        ("difficulty", "2.5", "is not the difficulty of bits"),
        ("end_height", "4", "is not start_height + 2015"),
        ("bits_int", "5", "disagrees with bits_hex"),
    ):
        path = _write(tmp_path, "col.csv", _set(lines, 300, column, value))
        _refused(
            fresh_db, lambda p=path: ingest.import_epochs(fresh_db, p), path, 300, column, reason
        )
    for name, text, reason in (
        ("bigint.json", '[["' + "00" * 32 + '", ' + "9" * 5000 + "]]", "thousands of digits"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("nan.json", '[["' + "00" * 32 + '", NaN]]', "target must be a positive integer"),
        ("big.json", '[["' + "00" * 32 + '", ' + str(2**300) + "]]", "above the proof-of-work"),
    ):
        path = _write(tmp_path, name, text)
        with pytest.raises(InputError, match=reason):
            ingest.import_epochs(fresh_db, path)
    assert storage.table_counts(fresh_db)["epochs"] == 0


DAILY_CASES = [
    ("date", "0001-01-01", "is before the first block (2009-01-03)"),
    ("date", "2027-01-01", "is in the future (today is 2026-12-01 UTC)"),
    ("date", "2010-02-30", "is not a date"),
    ("BlkCnt", str(2**63 - 1), "is above 518,400 blocks in a day"),
    ("BlkCnt", "-1", "is negative"),
    ("DiffMean", "0.5", "is below 1"),
    ("DiffMean", "1e400", "is not a finite number"),
    ("DiffMean", "nan", "is not a number"),
    ("IssTotNtv", "1e300", "is above 2.1e+07 BTC"),
    ("IssTotNtv", "999999", "more than 50 BTC a block"),
    ("FeeTotNtv", "-0.1", "is negative"),
    ("PriceUSD", "1e300", "is above 1e+09 USD per BTC"),
    ("PriceUSD", "0x1p3", "is not a number"),
    ("PriceUSD", "1e-300", "is below 0.0001 USD per BTC"),
]


@pytest.mark.parametrize(("column", "value", "reason"), DAILY_CASES)
def test_daily_rows_refused(
    fresh_db: sqlite3.Connection,
    shared_data: Path,
    tmp_path: Path,
    column: str,
    value: str,
    reason: str,
) -> None:
    lines = (shared_data / DAILY_CSV).read_text().splitlines()[:600]
    path = _write(tmp_path, "daily.csv", _set(lines, 500, column, value))
    _refused(
        fresh_db,
        lambda: ingest.import_daily(fresh_db, path, now_s=NOW_S),
        path,
        500,
        column,
        reason,
    )


def test_prices_refused(fresh_db: sqlite3.Connection, shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / BITSTAMP_CSV).read_text().splitlines()[:300]
    for column, value, reason in (
        ("date", "0", "is before the first block"),
        ("date", "0001-01-01T05:00:00Z", "is before the first block"),
        ("date", "2099-01-01", "is in the future"),
        ("date", "1" + "0" * 30, "is not a date, an ISO-8601 time or Unix seconds"),
        ("date", "NaN", "is not a date"),
        ("date", lines[98].split(",")[0], "repeats line 99"),
        ("c", "1e300", "is above 1e+09 USD per BTC"),
        ("c", "-3", "is negative"),
        ("c", "0.00001", "is below 0.0001 USD per BTC"),
        ("c", "inf", "is not a number"),
    ):
        path = _write(tmp_path, "p.csv", _set(lines, 100, column, value))
        _refused(
            fresh_db,
            lambda p=path: ingest.import_prices(fresh_db, p, now_s=NOW_S),
            path,
            100,
            column,
            reason,
        )
    ms = "time_s,price_usd\n" + "".join(
        f"{(1_700_000_000 + 86_400 * i) * 1000},5{i}\n" for i in range(9)
    )
    assert (
        ingest.import_prices(fresh_db, _write(tmp_path, "ms.csv", ms), now_s=NOW_S).rows_read == 9
    )


# --- one transaction: a failure after the first write leaves the file byte-identical -------


def _file_state(path: Path) -> tuple[str, list[str]]:
    siblings = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    return hashlib.sha256(path.read_bytes()).hexdigest(), siblings


@pytest.fixture
def db_file(db_path: Path, shared_data: Path, tmp_path: Path, block_lines: list[str]) -> Path:
    conn = storage.open_for_writing(db_path)
    ingest.import_epochs(conn, shared_data / EPOCHS_CSV)
    ingest.import_blockstats(conn, _write(tmp_path, "s.csv", block_lines[:SEED_LINES]), now_s=NOW_S)
    conn.close()
    return db_path


def test_a_bad_last_line_after_many_blocks_changes_nothing(
    db_file: Path, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 8 KiB blocks: the real file is read and written in about 600 blocks before its last
    # line, which is bad; the commit never happens.
    monkeypatch.setattr(_textfile, "BLOCK_BYTES", 8192)
    lines = (shared_data / BLOCKSTATS_CSV).read_text().splitlines()
    path = _write(tmp_path, "big.csv", _set(lines, len(lines), "subsidy", "1"))
    before = _file_state(db_file)
    conn = storage.open_for_writing(db_file)
    with pytest.raises(InputError, match=f"big.csv:{len(lines)}, field 'subsidy'"):
        ingest.import_blockstats(conn, path, now_s=NOW_S)
    conn.close()
    assert _file_state(db_file) == before
    for kind, name in (("daily", DAILY_CSV), ("prices", BITSTAMP_CSV)):
        rows = (shared_data / name).read_text().splitlines()
        bad = _write(tmp_path, f"{kind}.csv", rows + [rows[-1]])  # a repeat on the last line
        conn = storage.open_for_writing(db_file)
        with pytest.raises(InputError, match="repeats line"):
            ingest.IMPORTERS[kind](conn, bad, now_s=NOW_S)
        conn.close()
        assert _file_state(db_file) == before


def test_an_upsert_that_fails_after_writing_changes_nothing(
    db_file: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mutation "an import upsert outside any transaction" is caught here: the rows the
    # first upsert wrote would stay.
    real = storage.upsert_block_columns
    calls = {"n": 0}

    def write_then_fail(conn: sqlite3.Connection, data: dict[str, list[object]]) -> object:
        real(conn, data)
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed after the second write")
        return real(conn, data)

    monkeypatch.setattr(storage, "upsert_block_columns", write_then_fail)
    before = _file_state(db_file)
    conn = storage.open_for_writing(db_file)
    with pytest.raises(RuntimeError, match="killed"):
        ingest.import_blockstats(conn, shared_data / BLOCKSTATS_CSV, now_s=NOW_S)
    conn.close()
    assert calls["n"] == 2
    assert _file_state(db_file) == before


def test_quickstart_is_one_transaction(
    fresh_db: sqlite3.Connection, shared_data: Path, tmp_path: Path
) -> None:
    # The last reference file is bad: the files before it are not left behind.
    folder = tmp_path / "data"
    folder.mkdir()
    for _, name in ingest.REFERENCE_FILES:
        (folder / name).symlink_to(shared_data / name)
    last = ingest.REFERENCE_FILES[-1][1]
    (folder / last).unlink()
    (folder / last).write_text("date,CapMVRVCur,PriceUSD\n2026-01-01,-1,1\n")
    with pytest.raises(InputError, match=f"{last}:2, field 'CapMVRVCur'"):
        ingest.import_reference_dir(fresh_db, folder, now_s=NOW_S)
    assert storage.table_counts(fresh_db) == {"blocks": 0, "epochs": 0, "daily": 0, "prices": 0}
