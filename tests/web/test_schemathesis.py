"""Fuzz the API from its own OpenAPI spec: no 5xx, every answer inside its documented schema.

Schemathesis generates requests for every operation of ``/openapi.json`` (valid and invalid
parameters and bodies) and checks each answer: not a server error, status code and content
type documented, body valid against the documented schema (problem documents included),
schema-invalid requests refused. TIMEs come from a strategy of real moments (``at`` has the
format ``minerscope-time``), so the fuzzing reaches the report functions, not only the
parameter checks.

15 examples per operation by default (5 for the bootstrap studies; about 35 s for the 21
operations on 2 loaded cores; ``MINERSCOPE_FUZZ_TIMES=1`` and ``-s`` print each one's); set
``MINERSCOPE_FUZZ_EXAMPLES=150`` for a deeper run (it passes; it found the four report bugs
fixed with this package: the subsidy before genesis, a daily tip below block 0 in status and
``difficulty``, a zero reward per block).

Left out: ``positive_data_acceptance``. Some schema-valid requests are refused on purpose
with 422 (``from`` after the moment asked about, February 30, a model filter matching no
model): JSON Schema cannot say so.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import positive_data_acceptance  # noqa: E402

pytestmark = pytest.mark.shared
EXAMPLES_PER_OPERATION = int(os.environ.get("MINERSCOPE_FUZZ_EXAMPLES", "15"))
FIRST = datetime(2008, 10, 1, tzinfo=UTC)  # before genesis: "no data" answers too
LAST = datetime(2026, 9, 1, tzinfo=UTC)  # after the reference data ends
#: Operations that run a bootstrap study on every request (about a second each on 2 loaded
#: cores): a third of the examples, so that the whole test stays near 30 s.
STUDIES = ("/api/v1/study/contraction", "/api/v1/study/composite", "/api/v1/study/ribbons")
SPENT_S: dict[str, float] = {}  # per operation, printed with -s (tuning the budget) [s]


def _time_specs() -> st.SearchStrategy[str]:
    # sampled_from draws days evenly (integers() would crowd near the first day)
    n_days = (LAST - FIRST).days
    days = st.sampled_from([FIRST + timedelta(days=d) for d in range(n_days)])
    seconds = st.sampled_from(range(0, 86_400, 7))
    moments = st.tuples(days, seconds).map(lambda ds: ds[0] + timedelta(seconds=ds[1]))
    return st.one_of(
        days.map(lambda t: t.strftime("%Y-%m-%d")),
        moments.map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")),
        st.sampled_from(range(0, 1_100_000, 97)).map(lambda h: f"height:{h}"),
        st.sampled_from(["2026-02-01T08:40:17Z", "height:934575", "2026-01-22"]),
    )


def test_api_conforms_to_its_schema(server: Any) -> None:
    schemathesis.openapi.format("minerscope-time", _time_specs())
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 21
    assert {op.path for op in operations} >= set(STUDIES)
    for operation in operations:
        n = EXAMPLES_PER_OPERATION
        if operation.path in STUDIES:
            n = max(5, n // 3)

        @given(case=operation.as_strategy())
        @settings(max_examples=n, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: Any) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        t0 = time.perf_counter()
        check()
        SPENT_S[f"{operation.method.upper()} {operation.path}"] = time.perf_counter() - t0


def teardown_module() -> None:
    if os.environ.get("MINERSCOPE_FUZZ_TIMES"):
        for name, spent in sorted(SPENT_S.items(), key=lambda kv: -kv[1]):
            print(f"{spent:6.1f} s  {name}")
