"""Plain Python KPI arithmetic and signals (no ORM), unit-tested on its own."""

from .arithmetic import (  # noqa: F401
    DEFAULT_AT_RISK,
    DEFAULT_ON_TRACK,
    SIGNAL_AT_RISK,
    SIGNAL_NONE,
    SIGNAL_OFF_TRACK,
    SIGNAL_ON_TRACK,
    elapsed_ratio,
    percent,
    ratio,
    signal_for,
    worst_signal,
)
