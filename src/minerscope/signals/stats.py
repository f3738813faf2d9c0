"""Statistics for signal studies on overlapping daily windows (pure; seeded rng passed in).

Daily signals and N-day forward returns are strongly autocorrelated: a signal that holds for
a month and a 180-day return that overlaps its neighbour by 179 days are one observation,
not hundreds. The tools here keep that dependence:

- :func:`stationary_bootstrap_indices`: resamples of a series in blocks of random
  (geometric) length, mean ``mean_block``, wrapped circularly (Politis and Romano [1]_);
- :func:`bootstrap_group_stats`: hit rate, mean and median of the signal days, the other
  days and all days in each resample, vectorised in chunks;
- :func:`circular_shift_test`: the signal series shifted against the outcome series by
  every lag of at least the horizon (a torus translation test [2]_), the observed
  statistic ranked among the shifted ones;
- :func:`wilson_interval` for a share from independent trials [3]_;
- :func:`poisson_ratio_interval`: exact interval of the ratio of two Poisson rates,
  conditional on their total (Clopper-Pearson on the binomial split [4]_).

References
----------
.. [1] D. N. Politis and J. P. Romano, "The stationary bootstrap", Journal of the American
   Statistical Association 89 (1994) 1303-1313, doi:10.1080/01621459.1994.10476870.
.. [2] K. E. Harms, R. Condit, S. P. Hubbell and R. B. Foster, "Habitat associations of
   trees and shrubs in a 50-ha neotropical forest plot", Journal of Ecology 89 (2001)
   947-959, doi:10.1111/j.1365-2745.2001.00615.x (the torus translation test).
.. [3] E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
   Journal of the American Statistical Association 22 (1927) 209-212.
.. [4] C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial limits
   illustrated in the case of the binomial", Biometrika 26 (1934) 404-413; for two Poisson
   rates, M. P. Fay, "Two-sided exact tests and matching confidence intervals for discrete
   data", The R Journal 2 (2010) 53-58.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special  # not scipy.stats: its import costs ~0.8 s per command

#: Elements per bootstrap chunk (rows x days): bounds memory at a few tens of MB.
_CHUNK_ELEMENTS = 1_000_000


def _blocks(
    n: int, mean_block: float, draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Blocks of ``draws`` stationary-bootstrap resamples: start positions, lengths (the
    last one cut at ``n``, later ones 0) and the series index each block begins at."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if mean_block < 1:
        raise ValueError(f"mean_block must be >= 1, got {mean_block}")
    p = 1.0 / mean_block
    m = int(n / mean_block + 10 * math.sqrt(n / mean_block) + 10)  # blocks per row, ample
    while True:
        lengths = rng.geometric(p, size=(draws, m))
        starts = np.cumsum(lengths, axis=1) - lengths
        if np.all(starts[:, -1] + lengths[:, -1] >= n):
            break
        m *= 2  # practically never: the rows did not reach n positions
    origins = rng.integers(0, n, size=(draws, m))
    lengths = np.where(starts < n, np.minimum(lengths, n - starts), 0)
    return starts, lengths, origins


def stationary_bootstrap_indices(
    n: int, mean_block: float, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Indices of ``draws`` stationary-bootstrap resamples of a series of length ``n``.

    Parameters
    ----------
    n : int
        Length of the series. [days]
    mean_block : float
        Mean block length ``b`` (block lengths are geometric with ``p = 1 / b``). [days]
    draws : int
        Number of resamples.
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    ndarray
        Shape ``(draws, n)``, integer indices into the series.

    Notes
    -----
    Politis and Romano (1994): blocks of independent Geometric(``p = 1 / b``) lengths
    (support 1, 2, ...), each starting at a uniform random index and continuing with index
    + 1, wrapping from ``n - 1`` to 0, laid end to end until ``n`` positions are filled
    (equivalently: each position after the first starts a new block with probability
    ``p``). Vectorised: with block ``i`` starting at position ``s_i`` and index ``U_i``,
    position ``j`` of block ``i`` takes ``(U_i - s_i + j) mod n``; the offsets ``U_i - s_i``
    are spread over the positions by a cumulative sum of their differences.
    :func:`stationary_bootstrap_counts` draws the same resamples from the same generator
    state.
    """
    starts, lengths, origins = _blocks(n, mean_block, draws, rng)
    inside = lengths > 0
    step = np.diff(origins - starts, axis=1, prepend=0)
    spread = np.zeros((draws, n), dtype=np.int64)
    rows = np.broadcast_to(np.arange(draws)[:, None], starts.shape)
    spread[rows[inside], starts[inside]] = step[inside]
    out: np.ndarray = (np.cumsum(spread, axis=1) + np.arange(n)) % n
    return out


def stationary_bootstrap_counts(
    n: int, mean_block: float, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """How often each day of the series is drawn in each stationary-bootstrap resample.

    Parameters
    ----------
    n : int
        Length of the series. [days]
    mean_block : float
        Mean block length. [days]
    draws : int
        Number of resamples.
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    ndarray
        Shape ``(draws, n)``, integer counts; each row sums to ``n``. Row ``r`` equals the
        ``bincount`` of row ``r`` of :func:`stationary_bootstrap_indices` for the same
        generator state.

    Notes
    -----
    A statistic that does not depend on the order of the resampled days (a group's hit
    rate, mean or median) needs only these counts. A block of length ``L`` from index
    ``U`` adds ``L // n`` to every day and 1 to the circular range ``[U, U + L mod n)``;
    the ranges are marked in a difference array (four entries per block) and summed
    along the row, so no ``(draws, n)`` index matrix is built.
    """
    starts, lengths, origins = _blocks(n, mean_block, draws, rng)
    full = (lengths // n).sum(axis=1)
    rem = lengths % n
    end = origins + rem
    row = (np.arange(draws, dtype=np.int64) * (n + 1))[:, None]
    part = rem > 0
    wrap = part & (end > n)
    opens = np.concatenate([(row + origins)[part], np.broadcast_to(row, wrap.shape)[wrap]])
    closes = np.concatenate([(row + np.minimum(end, n))[part], (row + end - n)[wrap]])
    diff = np.zeros(draws * (n + 1), dtype=np.int64)
    np.add.at(diff, opens, 1)
    np.add.at(diff, closes, -1)
    # integer running sums: several times faster than floating-point ones
    out: np.ndarray = np.cumsum(diff.reshape(draws, n + 1)[:, :n], axis=1) + full[:, None]
    return out


@dataclass(frozen=True)
class BootstrapDraws:
    """Per-resample statistics of the signal days, the other days and all days.

    Each array has one value per resample (NaN where a group is empty in that resample).
    Returns are simple returns as fractions (0.72 = +72 %).
    """

    hit_signal: np.ndarray
    hit_other: np.ndarray
    hit_all: np.ndarray
    mean_signal: np.ndarray
    mean_other: np.ndarray
    mean_all: np.ndarray
    median_signal: np.ndarray
    median_other: np.ndarray
    median_all: np.ndarray
    empty_signal_share: float


def _weighted_median_rows(counts: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Median of each row's multiset: ``counts[r, i]`` copies of ``sorted_values[i]``.

    Lower median for an even count (the ``(m - 1) // 2``-th smallest), NaN for an empty row.
    """
    cum = np.cumsum(counts, axis=1)
    total = cum[:, -1]
    k = (total - 1) // 2  # 0-based rank of the lower median
    pos = (cum <= k[:, None]).sum(axis=1)
    pos = np.minimum(pos, len(sorted_values) - 1)
    out = sorted_values[pos].astype(float)
    out[total == 0] = np.nan
    result: np.ndarray = out
    return result


def bootstrap_group_stats(
    signal: ArrayLike,
    returns: ArrayLike,
    *,
    mean_block: float,
    draws: int,
    rng: np.random.Generator,
) -> BootstrapDraws:
    """Stationary-bootstrap distribution of hit rate, mean and median by group.

    Parameters
    ----------
    signal : array_like of bool
        Signal on each day of the sample (consecutive days, all with a known outcome).
    returns : array_like
        Forward return of each day (fraction; 0.5 = +50 %). [share]
    mean_block : float
        Mean block length of the resampling (at least the horizon). [days]
    draws : int
        Resamples.
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    BootstrapDraws

    Notes
    -----
    The pairs (signal, return) of a day are resampled together, so the dependence between
    the signal and the outcome, and within each, survives inside a block. The hit rate is
    the share of days with a positive return. Each resample is summarised by how often it
    draws each original day (:func:`stationary_bootstrap_counts`): products of the counts
    with the days' (signal, hit, return) columns give every group's count, hits and sum;
    with the days in return order the running count gives the (lower) median, without
    building or sorting any resample.
    """
    s = np.asarray(signal, dtype=bool)
    r = np.asarray(returns, dtype=float)
    n = len(s)
    if len(r) != n:
        raise ValueError("signal and returns differ in length")
    if n == 0 or not np.all(np.isfinite(r)):
        raise ValueError("returns must be finite and non-empty")
    hit = r > 0
    s_int, s_hit, hit_int = s.astype(np.int64), (s & hit).astype(np.int64), hit.astype(np.int64)
    s_r = np.where(s, r, 0.0)
    order = np.argsort(r, kind="stable")
    sorted_r = r[order]
    s_sorted = s[order].astype(np.int64)
    keys = ("hs", "ho", "ha", "ms", "mo", "ma", "meds", "medo", "meda", "ns")
    out: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    chunk = max(1, _CHUNK_ELEMENTS // n)
    for start in range(0, draws, chunk):
        c = min(chunk, draws - start)
        counts = stationary_bootstrap_counts(n, mean_block, c, rng)
        # counts times the days' columns; einsum's own loops, not BLAS: a threaded BLAS
        # matrix-vector product is many times slower on a busy machine
        n_sig, h_sig, h_all = (np.einsum("ij,j->i", counts, v) for v in (s_int, s_hit, hit_int))
        as_float = counts.astype(float)
        r_sig, r_all = (np.einsum("ij,j->i", as_float, v) for v in (s_r, r))
        n_oth = n - n_sig
        with np.errstate(invalid="ignore", divide="ignore"):
            out["hs"].append(h_sig / n_sig)
            out["ho"].append((h_all - h_sig) / n_oth)
            out["ms"].append(r_sig / n_sig)
            out["mo"].append((r_all - r_sig) / n_oth)
        out["ha"].append(h_all / n)
        out["ma"].append(r_all / n)
        out["ns"].append(n_sig)
        # counts of the days in return order (np.take keeps C order: fast row sums)
        by_return = np.take(counts, order, axis=1)
        sig_counts = by_return * s_sorted
        out["meds"].append(_weighted_median_rows(sig_counts, sorted_r))
        out["medo"].append(_weighted_median_rows(by_return - sig_counts, sorted_r))
        out["meda"].append(_weighted_median_rows(by_return, sorted_r))
    cat = {k: np.concatenate(v) for k, v in out.items()}
    return BootstrapDraws(
        hit_signal=cat["hs"],
        hit_other=cat["ho"],
        hit_all=cat["ha"],
        mean_signal=cat["ms"],
        mean_other=cat["mo"],
        mean_all=cat["ma"],
        median_signal=cat["meds"],
        median_other=cat["medo"],
        median_all=cat["meda"],
        empty_signal_share=float(np.mean(cat["ns"] == 0)),
    )


def percentile_interval(draws: ArrayLike, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap draws, ignoring NaN (empty groups).

    Parameters
    ----------
    draws : array_like
        Bootstrap replicates of a statistic.
    confidence : float
        Coverage. [share]

    Returns
    -------
    tuple of float
        ``(lower, upper)``; NaN when no draw is finite.
    """
    x = np.asarray(draws, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return (math.nan, math.nan)
    a = 1.0 - confidence
    lo, hi = np.quantile(x, [a / 2, 1 - a / 2])
    return (float(lo), float(hi))


@dataclass(frozen=True)
class ShiftTest:
    """Result of a circular-shift test.

    Attributes
    ----------
    observed : float
        The statistic at the true alignment.
    p_value : float
        Two-sided: ``(1 + #{|T_k - c| >= |T_obs - c|}) / (1 + K)`` with ``c`` the mean of
        the shifted statistics. [share]
    shifts : int
        ``K``, the number of shifts used.
    null_mean, null_lower, null_upper : float
        Mean and central 95 % range of the shifted statistics.
    """

    observed: float
    p_value: float
    shifts: int
    null_mean: float
    null_lower: float
    null_upper: float


def _circular_sums(signal: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``out[k] = sum_t signal[(t - k) mod n] * values[t]`` for every shift k (FFT)."""
    n = len(signal)
    f = np.fft.rfft(values) * np.conj(np.fft.rfft(signal))
    out: np.ndarray = np.fft.irfft(f, n)
    return out


def circular_shift_test(
    signal: ArrayLike, outcome: ArrayLike, *, min_shift: int
) -> tuple[ShiftTest, ShiftTest]:
    """Circular-shift (torus translation) test of the signal days' mean outcome.

    Parameters
    ----------
    signal : array_like of bool
        Signal on each day of the sample (consecutive days).
    outcome : array_like
        Forward return of each day. [share]
    min_shift : int
        Smallest circular lag used (at least the horizon, so a shifted signal day's window
        never overlaps its own). [days]

    Returns
    -------
    tuple of ShiftTest
        For the hit rate (share of signal days with a positive return) minus the
        unconditional hit rate, and for the mean return of the signal days minus the
        unconditional mean. [share]

    Notes
    -----
    Shifting the whole signal series by ``k`` days (wrapping at the end) keeps its runs,
    their lengths and spacing, and the outcome series keeps its own autocorrelation; only
    the alignment between the two is broken. Under the null of no association every
    alignment is as likely as the observed one. The unconditional rate does not change
    under a shift, so the statistic is the signal group's rate minus it. Lags ``k`` with
    ``min_shift <= k <= n - min_shift`` are all used (computed at once by FFT).
    """
    s = np.asarray(signal, dtype=float)
    y = np.asarray(outcome, dtype=float)
    n = len(s)
    m = float(s.sum())
    if m == 0 or m == n:
        raise ValueError("the signal must hold on some days and not on others")
    if n - 2 * min_shift + 1 < 1:
        raise ValueError(f"sample of {n} days is too short for shifts of at least {min_shift}")
    hit = (y > 0).astype(float)
    ks = np.arange(min_shift, n - min_shift + 1)
    results = []
    for values in (hit, y):
        sums = _circular_sums(s, values)
        uncond = float(values.mean())
        observed = float((s * values).sum()) / m - uncond
        null = sums[ks] / m - uncond
        c = float(null.mean())
        extreme = np.abs(null - c) >= abs(observed - c) - 1e-12
        lo, hi = np.quantile(null, [0.025, 0.975])
        results.append(
            ShiftTest(
                observed=observed,
                p_value=float((1 + extreme.sum()) / (1 + len(ks))),
                shifts=len(ks),
                null_mean=c,
                null_lower=float(lo),
                null_upper=float(hi),
            )
        )
    return results[0], results[1]


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share from independent trials.

    Parameters
    ----------
    successes, trials : int
        [count]
    confidence : float
        [share]

    Returns
    -------
    tuple of float
        ``(lower, upper)`` [share]; NaN for zero trials.

    Notes
    -----
    ``(p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)`` with ``z`` the normal
    quantile (Wilson 1927).
    """
    if trials <= 0:
        return (math.nan, math.nan)
    z = float(-special.ndtri((1.0 - confidence) / 2))
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def poisson_ratio_interval(
    count_a: ArrayLike,
    exposure_a: ArrayLike,
    count_b: ArrayLike,
    exposure_b: ArrayLike,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact interval of the ratio of two Poisson rates, ``rate_a / rate_b``.

    Parameters
    ----------
    count_a, count_b : array_like
        Event counts (blocks) in two disjoint windows. [count]
    exposure_a, exposure_b : array_like
        Their exposures (for blocks: ``sum_d 86400 / W_d``, time per unit of work). [s/hash]
    confidence : float
        [share]

    Returns
    -------
    tuple of ndarray
        ``(ratio, lower, upper)``, ratio = ``(k_a / E_a) / (k_b / E_b)``. [unitless]

    Notes
    -----
    Given ``k_a + k_b = m``, ``k_a ~ Binomial(m, pi)`` with
    ``pi = E_a r_a / (E_a r_a + E_b r_b)``; the Clopper-Pearson bounds on ``pi``
    (``Beta^-1(a/2; k_a, m - k_a + 1)`` and ``Beta^-1(1 - a/2; k_a + 1, m - k_a)``) map to
    the ratio by ``pi / (1 - pi) * E_b / E_a``.
    """
    ka = np.asarray(count_a, dtype=float)
    kb = np.asarray(count_b, dtype=float)
    ea = np.asarray(exposure_a, dtype=float)
    eb = np.asarray(exposure_b, dtype=float)
    a = 1.0 - confidence
    scale = eb / ea
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = ka / kb * scale
        p_lo = np.where(ka > 0, special.betaincinv(np.maximum(ka, 1e-300), kb + 1, a / 2), 0.0)
        p_hi = np.where(kb > 0, special.betaincinv(ka + 1, np.maximum(kb, 1e-300), 1 - a / 2), 1.0)
        lower = p_lo / (1 - p_lo) * scale
        upper = np.where(p_hi < 1, p_hi / (1 - p_hi) * scale, np.inf)
    return ratio, lower, upper
