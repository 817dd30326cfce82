"""Per-second rates from counters sampled at two moments (the ops dashboard's view, without
Prometheus): each counting process is sampled when the dashboard asks, and compared with its
previous sample."""
import time
from collections.abc import Hashable
from dataclasses import dataclass

MAX_WINDOW_SECONDS = 600.0  # an older sample is forgotten: no rate over a longer window


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic()
    counters: dict[str, float]


def per_second(previous: Sample | None, current: Sample) -> dict | None:
    """`{<counter>_per_second, window_seconds}` between two samples of one process; None when
    there is no earlier sample or a counter went back (it cannot, in one process)."""
    if previous is None:
        return None
    window = current.at - previous.at
    if window <= 0 or set(previous.counters) != set(current.counters):
        return None
    deltas = {name: value - previous.counters[name] for name, value in current.counters.items()}
    if any(delta < 0 for delta in deltas.values()):
        return None
    return {**{f"{name}_per_second": round(delta / window, 3) for name, delta in deltas.items()},
            "window_seconds": round(window, 3)}


class CounterRates:
    """The last sample of every process, keyed by whatever names the process."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._last: dict[Hashable, Sample] = {}

    def update(self, process: Hashable, counters: dict[str, float]) -> dict | None:
        current = Sample(self._clock(), dict(counters))
        self._last = {key: sample for key, sample in self._last.items()
                      if current.at - sample.at <= MAX_WINDOW_SECONDS}
        previous = self._last.get(process)
        self._last[process] = current
        return per_second(previous, current)
