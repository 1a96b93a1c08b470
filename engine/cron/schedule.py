"""Cron schedules (UTC), and their use as an APScheduler trigger.

Hasura takes the five-field cron syntax. A six-field expression, seconds first, is also
accepted so that tests and local experiments need not wait for whole minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from apscheduler.triggers.base import BaseTrigger
from croniter import croniter


class Schedule:
    """A validated cron expression evaluated in UTC."""

    def __init__(self, expression: str) -> None:
        expression = " ".join(expression.split())
        fields = expression.split(" ")
        if len(fields) not in (5, 6) or not croniter.is_valid(
            expression, second_at_beginning=len(fields) == 6
        ):
            raise ValueError(f"invalid cron schedule {expression!r}")
        self.expression = expression
        self._seconds_first = len(fields) == 6

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and other.expression == self.expression

    def __hash__(self) -> int:
        return hash(self.expression)

    def __repr__(self) -> str:
        return f"Schedule({self.expression!r})"

    def next_after(self, moment: datetime) -> datetime:
        """The first scheduled time strictly after ``moment``."""
        itr = croniter(
            self.expression, moment.astimezone(UTC), second_at_beginning=self._seconds_first
        )
        found: datetime = itr.get_next(datetime)
        return found.astimezone(UTC)

    def between(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Scheduled times in ``(after, until]``, oldest first."""
        moment = self.next_after(after)
        while moment <= until:
            yield moment
            moment = self.next_after(moment)


class ScheduleTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no types
    """Lets APScheduler wake the engine at each time of a :class:`Schedule`."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The next scheduled time after the previous fire (or after now)."""
        start = previous_fire_time if previous_fire_time is not None else now
        nxt = self.schedule.next_after(start)
        while nxt < now:  # skip times already past (they are caught up from the database)
            nxt = self.schedule.next_after(now)
        return nxt
