"""A realistic whole-chain getblockstats file (heights 0..934,575) for scale benchmarks.

The reference data holds real per-block rows only for 909,458..934,575. Scale questions
(imports, loads, syncs on a node-sized database) need every height, so this script builds
the rest from the real data: each UTC day from 2009-01-03 gets the number of blocks Coin
Metrics counted that day (scaled by a factor within 1e-5 of 1 so that exactly 909,458 blocks
precede the first real row), at sorted uniform times within the day (seeded, strictly
increasing), with the day's real fees split evenly over its blocks, the consensus subsidy,
the real genesis hash and Electrum's real hash at every epoch's last block. Other heights get
a synthetic 64-hex hash. The real rows 909,458..934,575 follow unchanged.

Rows are valid by Bitcoin Core's timestamp rule (each time above the median of the 11
before it). The file is cached in ``benchmarks/.cache/`` (ignored by git); build it with

    python benchmarks/wholechain.py [--out FILE]

or from another benchmark: ``from wholechain import wholechain_blockstats``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
CACHE = Path(__file__).resolve().parent / ".cache"
REAL_CSV = "blocks_getblockstats_909458_934575.csv"
DAILY_CSV = "btc_daily_network_2009-01-03_2026-05-23.csv"
EPOCHS_CSV = "difficulty_epochs_electrum.csv"
FIRST_REAL_HEIGHT = 909_458
GENESIS_HASH = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
GENESIS_TIME_S = 1_231_006_505
SEED = 20_090_103
SECONDS_PER_DAY = 86_400


def _subsidy_sat(height: np.ndarray) -> np.ndarray:
    halvings = height // 210_000
    return np.where(halvings < 64, (50 * 100_000_000) >> np.minimum(halvings, 63), 0)


def _median_time_past(times: np.ndarray) -> np.ndarray:
    """Core's GetMedianTimePast of each block: the median of it and the 10 before it."""
    pad = np.concatenate([np.full(10, times[0]), times])
    windows = np.lib.stride_tricks.sliding_window_view(pad, 11)
    out = np.median(windows, axis=1).astype(np.int64)
    # the first blocks have fewer than 11 ancestors: Core takes the median of those there are
    for i in range(min(10, len(times))):
        out[i] = int(np.median(times[: i + 1]))
    return out


def _daily_counts(first_real_time_s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day starts, block counts and fees (sat) for the days before the first real block."""
    starts, counts, fees = [], [], []
    with (DATA / DAILY_CSV).open(newline="") as fh:
        for row in csv.DictReader(fh):
            day_s = int(np.datetime64(row["date"], "s").astype(np.int64))
            if day_s > first_real_time_s:
                break
            k = float(row["BlkCnt"] or 0)
            if day_s + SECONDS_PER_DAY > first_real_time_s:
                k *= (first_real_time_s - day_s) / SECONDS_PER_DAY  # the part before block 909,458
            starts.append(day_s)
            counts.append(k)
            fees.append(float(row["FeeTotNtv"] or 0.0) * 1e8)
    return np.array(starts), np.array(counts), np.array(fees)


def _apportion(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder)."""
    exact = weights * (total / weights.sum())
    base = np.floor(exact).astype(np.int64)
    short = total - int(base.sum())
    base[np.argsort(exact - base)[::-1][:short]] += 1
    return base


def build(out: Path) -> Path:
    """Write the whole-chain CSV to ``out`` and return it."""
    t0 = time.perf_counter()
    with (DATA / REAL_CSV).open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        real_rows = list(reader)
    first_real_time = int(real_rows[0][header.index("time")])
    day_s, weights, day_fees = _daily_counts(first_real_time)
    weights[0] = max(weights[0], 1.0)  # the genesis day has block 0
    counts = _apportion(weights, FIRST_REAL_HEIGHT)
    rng = np.random.default_rng(SEED)
    n = FIRST_REAL_HEIGHT
    day_of = np.repeat(np.arange(len(counts)), counts)
    span = np.full(len(counts), SECONDS_PER_DAY, dtype=np.int64)
    span[-1] = first_real_time - day_s[-1] - 60
    times = day_s[day_of] + np.floor(rng.random(n) * span[day_of]).astype(np.int64)
    times.sort(kind="stable")
    times[0] = GENESIS_TIME_S
    times = np.maximum(times, GENESIS_TIME_S)
    # strictly increasing: each block at least one second after its parent
    ar = np.arange(n, dtype=np.int64)
    times = np.maximum.accumulate(times - ar) + ar
    if times[-1] >= first_real_time:
        raise RuntimeError("generated times overlap the first real block")
    mtp = _median_time_past(times)
    heights = ar
    subsidy = _subsidy_sat(heights)
    per_block_fee = np.where(counts > 0, day_fees / np.maximum(counts, 1), 0.0)
    fees = np.floor(per_block_fee[day_of]).astype(np.int64)
    fees[heights < 1] = 0
    txs = 1 + (fees // 2_000).clip(0, 6_000) + (heights // 150).clip(0, 3_000)
    weight = np.minimum(3_993_000, 900 + txs * 1_300)
    size = weight // 3
    end_hashes: dict[int, str] = {}
    with (DATA / EPOCHS_CSV).open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("end_block_hash"):
                end_hashes[int(row["end_height"])] = row["end_block_hash"]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        iso = np.datetime_as_string(times.astype("datetime64[s]"), unit="s")
        col = {name: i for i, name in enumerate(header)}
        blank = [""] * len(header)
        for h in range(n):
            row = list(blank)
            if h == 0:
                block_hash = GENESIS_HASH
            elif h in end_hashes:
                block_hash = end_hashes[h]
            else:
                block_hash = hashlib.sha256(b"minerscope-wholechain:%d" % h).hexdigest()
            t = int(times[h])
            k = int(txs[h])
            fee = int(fees[h])
            values = {
                "height": h,
                "blockhash": block_hash,
                "time": t,
                "time_utc": f"{iso[h]}Z",
                "mediantime": int(mtp[h]),
                "txs": k,
                "ins": max(k - 1, 0) * 2 + 1,
                "outs": k * 2,
                "total_size": int(size[h]),
                "total_weight": int(weight[h]),
                "totalfee": fee,
                "subsidy": int(subsidy[h]),
                "total_out": int(subsidy[h]) * 40,
                "avgfee": fee // max(k - 1, 1),
                "avgfeerate": 2,
                "medianfee": fee // max(k - 1, 1) // 2,
                "minfeerate": 0 if k == 1 else 1,
                "maxfeerate": 0 if k == 1 else 300,
                "swtxs": 0 if h < 481_824 else k // 2,
                "feerate_p10": 1,
                "feerate_p25": 1,
                "feerate_p50": 2,
                "feerate_p75": 3,
                "feerate_p90": 5,
            }
            for name, value in values.items():
                if name in col:
                    row[col[name]] = str(value)
            w.writerow(row)
        w.writerows(real_rows)
    tmp.replace(out)
    print(
        f"wholechain: wrote {n + len(real_rows):,} rows to {out}"
        f" ({out.stat().st_size / 2**20:,.0f} MiB, {time.perf_counter() - t0:.1f} s)",
        file=sys.stderr,
    )
    return out


def wholechain_blockstats(out: Path | None = None) -> Path:
    """The whole-chain CSV, built on first use and cached."""
    if not DATA.is_dir():
        raise SystemExit(f"reference data not found at {DATA}")
    path = out or CACHE / "wholechain_blockstats_0_934575.csv"
    if path.exists() and path.stat().st_mtime >= (DATA / REAL_CSV).stat().st_mtime:
        return path
    return build(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="where to write the CSV")
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    args = parser.parse_args()
    if args.force and args.out is None:
        path = CACHE / "wholechain_blockstats_0_934575.csv"
        path.unlink(missing_ok=True)
    print(wholechain_blockstats(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
