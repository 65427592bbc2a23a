"""Per-key request rate limit: a fixed one-minute window per key, in process memory.

With several workers each enforces its own window, so the effective limit is
``workers × limit``; see README. A shared store (Redis) can replace this class alone.
"""

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[object, tuple[float, int]] = {}

    def hit(self, key: object) -> int:
        """Count one request; return 0 when allowed, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= 60:
                start, count = now, 0
            if count >= self.per_minute:
                return max(1, math.ceil(60 - (now - start)))
            self._windows[key] = (start, count + 1)
            if len(self._windows) > 100_000:  # bound memory: drop expired windows
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < 60}
            return 0
