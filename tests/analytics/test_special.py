"""The numpy special functions of the hot paths against scipy (allowed in tests), against
exact rationals, and against a 60-digit reference where scipy itself is not accurate."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pytest
from scipy import special as sp

from minerscope.analytics import _special as ms
from minerscope.analytics._temme import TEMME, temme_coefficients_exact


def _rel(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)))


def test_gamma_family_matches_scipy() -> None:
    x = np.concatenate([np.linspace(0.05, 30, 3000), np.geomspace(30, 1e7, 500)])
    # log Gamma has zeros at 1 and 2: absolute error there, relative elsewhere
    assert np.max(np.abs(ms.gammaln(x) - sp.gammaln(x))) < 1e-12 * np.max(np.abs(sp.gammaln(x)))
    assert np.max(np.abs(ms.gammaln(x[:3000]) - sp.gammaln(x[:3000]))) < 2e-14
    assert _rel(ms.digamma(x[x > 2]), sp.digamma(x[x > 2])) < 1e-13
    assert _rel(ms.trigamma(x), sp.polygamma(1, x)) < 1e-13
    psi2, psi3 = ms.polygamma23(x)
    assert _rel(psi2, sp.polygamma(2, x)) < 1e-13
    assert _rel(psi3, sp.polygamma(3, x)) < 1e-13
    for v in (0.3, 1.0, 7.5, 201.0, 1814.0):
        assert ms.digamma_scalar(v) == pytest.approx(float(sp.digamma(v)), rel=1e-14, abs=1e-15)
        assert ms.trigamma_scalar(v) == pytest.approx(float(sp.polygamma(1, v)), rel=1e-14)
        got2, got3 = ms.polygamma23_scalar(v)
        assert got2 == pytest.approx(float(sp.polygamma(2, v)), rel=1e-13)
        assert got3 == pytest.approx(float(sp.polygamma(3, v)), rel=1e-13)


def test_erfcx_and_expit_match_scipy() -> None:
    t = np.concatenate([np.linspace(0, 40, 40001), np.geomspace(40, 1e300, 300)])
    assert _rel(ms.erfcx(t), sp.erfcx(t)) < 3e-14
    x = np.linspace(-700, 700, 2801)
    assert _rel(ms.expit(x), sp.expit(x)) < 1e-15


@pytest.mark.parametrize(
    "a", [0.5, 1, 2, 5, 10, 20, 29.5, 30, 31, 50, 144, 201, 503, 1008, 1814, 2016, 5000, 1e5]
)
def test_incomplete_gamma_matches_scipy(a: float) -> None:
    # from the 1e-12 to the 1 - 1e-12 quantile, both tails with relative accuracy
    x = np.linspace(sp.gammaincinv(a, 1e-12), sp.gammaincinv(a, 1 - 1e-12), 1001)
    assert _rel(ms.gammainc(a, x), sp.gammainc(a, x)) < 1e-12
    assert _rel(ms.gammaincc(a, x), sp.gammaincc(a, x)) < 1e-12
    p = np.array([1e-10, 1e-6, 1e-3, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999, 1 - 1e-6])
    assert _rel(ms.gammaincinv(a, p), sp.gammaincinv(a, p)) < 1e-12


def _p_lower_decimal(a: int, x: float) -> float:
    """P(a, x) for integer a and x < a to 60 digits: e^-x sum_{k>=a} x^k / k!, with
    log(a!) by Stirling's series (error below 1e-40 at a = 1e6)."""
    getcontext().prec = 60
    pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494")
    big_x, big_a = Decimal(repr(x)), Decimal(a)
    log_fact = (big_a + Decimal(1) / 2) * big_a.ln() - big_a + (2 * pi).ln() / 2
    for k, b in enumerate((Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42)), start=1):
        coef = Decimal(b.numerator) / Decimal(b.denominator) / (2 * k * (2 * k - 1))
        log_fact += coef / big_a ** (2 * k - 1)
    term = (big_a * big_x.ln() - big_x - log_fact).exp()
    total, k = Decimal(0), a
    while total == 0 or term > total * Decimal("1e-30"):
        total += term
        k += 1
        term = term * big_x / k
    return float(total)


@pytest.mark.parametrize("z", [-7.0, -5.0, -3.0, -1.0])
def test_incomplete_gamma_for_a_million_blocks(z: float) -> None:
    # scipy is off by 1e-5 relative here (it gives 2.7495684e-07 at z = -5); the series
    # in 60-digit decimals is the reference: P(1e6, 1e6 - 5e3) = 2.749580359270e-07
    a = 10**6
    x = a + z * math.sqrt(a)
    assert float(ms.gammainc(float(a), x)) == pytest.approx(_p_lower_decimal(a, x), rel=1e-11)
    q = float(ms.gammaincinv(float(a), _p_lower_decimal(a, x)))
    assert q == pytest.approx(x, rel=1e-13)


def test_temme_table_is_the_exact_derivation() -> None:
    rows = temme_coefficients_exact(10, 30)
    assert np.array_equal(np.array([[float(v) for v in r] for r in rows]), TEMME)
    # DLMF 8.12.9 (and Temme 1979): c_0 = -1/3 + eta/12 - 2 eta^2/135 + eta^3/864 ...,
    # c_1(0) = -1/540, c_2(0) = 25/6048
    assert rows[0][:4] == [Fraction(-1, 3), Fraction(1, 12), Fraction(-2, 135), Fraction(1, 864)]
    assert rows[1][0] == Fraction(-1, 540)
    assert rows[2][0] == Fraction(25, 6048)


def test_hot_paths_import_neither_scipy_nor_pandas() -> None:
    code = (
        "import sys\n"
        "import minerscope.analytics, minerscope.report.network, minerscope.cli.analytics\n"
        "print(sorted(m for m in ('scipy', 'pandas', 'numpy.polynomial') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
