"""A per-client rate limit: a token bucket for each client address."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

# Clients remembered at once; the least recently seen is forgotten first (it then starts
# again with a full bucket, which only ever errs towards letting a request through).
MAX_CLIENTS = 10_000


class RateLimit:
    """``per_minute`` requests a minute per client, with a burst of as many."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def retry_after(self, client: str) -> int:
        """0 when the client may make a request now (and it is counted), else the whole
        seconds to wait before its next one."""
        if self.per_minute <= 0:
            return 0
        now = self.clock()
        rate = self.per_minute / 60.0
        tokens, at = self._buckets.pop(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - at) * rate)
        if tokens >= 1.0:
            self._buckets[client] = (tokens - 1.0, now)
            wait = 0
        else:
            self._buckets[client] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / rate))
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait
