"""The sliding-window rate limiter, on a fake clock."""

from __future__ import annotations

from engine.limits import RateLimiter


class Clock:
    """A clock the test moves."""

    def __init__(self, now: float = 6000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_admits_up_to_the_limit_per_key() -> None:
    """Rate limiter admits up to the limit per key.

    GIVEN a limit of 3 per minute WHEN one key sends 4 THEN the 4th waits; another key is
    counted apart.
    """
    clock = Clock()
    limiter = RateLimiter(clock)
    assert [limiter.admit("a", 3) for _ in range(3)] == [None, None, None]
    retry = limiter.admit("a", 3)
    assert retry is not None
    assert 1 <= retry <= 60
    assert limiter.admit("b", 3) is None


def test_rate_limiter_slides_the_previous_minute_out() -> None:
    """Rate limiter slides the previous minute out.

    GIVEN a full minute of 3 WHEN the next minute is half over THEN about half the previous
    count still weighs: one more fits, a second does not; a minute later all fit again.
    """
    clock = Clock(6000.0)
    limiter = RateLimiter(clock)
    for _ in range(3):
        assert limiter.admit("a", 3) is None
    clock.now = 6060.0 + 30.0
    assert limiter.admit("a", 3) is None      # 3 * 0.5 + 0 + 1 = 2.5 <= 3
    assert limiter.admit("a", 3) is not None  # 1.5 + 1 + 1 = 3.5 > 3
    clock.now = 6180.0
    assert all(limiter.admit("a", 3) is None for _ in range(2))


def test_rate_limiter_counts_a_batch_as_its_operations() -> None:
    """Rate limiter counts a batch as its operations.

    GIVEN a limit of 5 WHEN a batch of 4 then one of 2 arrives THEN the second is refused
    and records nothing.
    """
    limiter = RateLimiter(Clock())
    assert limiter.admit("a", 5, 4) is None
    assert limiter.admit("a", 5, 2) is not None
    assert limiter.admit("a", 5, 1) is None
