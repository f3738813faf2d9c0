"""Decisions over time, pure: simulated difficulty, hash-rate, price and fee paths; ROI and
payback; curtailment schedules against hourly power prices; what-if scenarios; sensitivity
grids.

Numbers, arrays and a seeded :class:`numpy.random.Generator` in; arrays and typed results out.
No I/O and no clock: the ``report`` layer loads the inputs (as of a moment) and renders.
"""
