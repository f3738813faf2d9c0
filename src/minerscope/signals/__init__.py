"""Signals and studies with honest statistics (pure: arrays and a seeded rng in, typed
results out; no I/O, no clock).

- :mod:`.contraction`: does negative hash-rate growth precede price gains (VanEck's claim)?
- :mod:`.ribbons`: Hash Ribbons capitulation, recovery and buy signals, with noise flags;
- :mod:`.miners`: Puell multiple bands, the difficulty ribbon, hash-rate capitulation
  episodes with the depth's interval;
- :mod:`.composite`: minerscope's open composite score (ours, not CryptoQuant's);
- :mod:`.state`: every signal's state at a moment, since when, and its changes;
- :mod:`.study` and :mod:`.stats`: the shared event-study engine (stationary bootstrap,
  circular-shift test, episodes and non-overlapping windows).
"""

from __future__ import annotations

from .composite import CompositeStudy, composite_components, composite_score, composite_study
from .contraction import ContractionStudy, contraction_signal, contraction_study
from .inputs import DailyInputs
from .miners import (
    CapitulationEpisode,
    DifficultyRibbon,
    capitulation_episodes,
    difficulty_ribbon,
    drawdown_series,
    puell_band,
    puell_series,
)
from .ribbons import RibbonBuy, RibbonSpell, RibbonsStudy, ribbon_series, ribbons_study
from .state import SignalsReport, signals_report
from .stats import (
    bootstrap_group_stats,
    circular_shift_test,
    poisson_ratio_interval,
    stationary_bootstrap_indices,
    wilson_interval,
)
from .study import GroupStats, StudyStats, event_study, quick_stats

__all__ = [
    "CapitulationEpisode",
    "CompositeStudy",
    "ContractionStudy",
    "DailyInputs",
    "DifficultyRibbon",
    "GroupStats",
    "RibbonBuy",
    "RibbonSpell",
    "RibbonsStudy",
    "SignalsReport",
    "StudyStats",
    "bootstrap_group_stats",
    "capitulation_episodes",
    "circular_shift_test",
    "composite_components",
    "composite_score",
    "composite_study",
    "contraction_signal",
    "contraction_study",
    "difficulty_ribbon",
    "drawdown_series",
    "event_study",
    "poisson_ratio_interval",
    "puell_band",
    "puell_series",
    "quick_stats",
    "ribbon_series",
    "ribbons_study",
    "signals_report",
    "stationary_bootstrap_indices",
    "wilson_interval",
]
