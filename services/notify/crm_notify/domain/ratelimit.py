"""A per-channel messages-per-second limit for the sender loop (a token bucket of one second)."""
from collections.abc import Callable


class RateLimits:
    def __init__(self, per_second: dict[str, float], clock: Callable[[], float]):
        if any(rate <= 0 for rate in per_second.values()):
            raise ValueError("rates must be positive")
        self.per_second = per_second
        self.clock = clock
        self._next_free: dict[str, float] = {}

    @staticmethod
    def parse(text: str) -> dict[str, float]:
        """`sms=10,email=20` -> {"sms": 10.0, "email": 20.0}."""
        rates = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            channel, sep, rate = item.partition("=")
            if not sep:
                raise ValueError(f"rate limit entry must be channel=per_second: {item!r}")
            rates[channel.strip()] = float(rate)
        return rates

    def batch(self, channel: str, seconds: float) -> int:
        """How many messages of a channel fit in `seconds` (at least one)."""
        rate = self.per_second.get(channel)
        return 1_000_000 if rate is None else max(1, int(rate * seconds))

    def wait(self, channel: str) -> float:
        """Reserve the channel's next slot; return how long to wait for it (0: send now)."""
        rate = self.per_second.get(channel)
        if rate is None:
            return 0.0
        now = self.clock()
        slot = max(now, self._next_free.get(channel, now))
        self._next_free[channel] = slot + 1.0 / rate
        return slot - now
