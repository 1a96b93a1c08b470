"""Which migrations a ``migrate apply`` runs, and in which direction, before anything runs.

The selections are the Hasura CLI's: everything pending (default), the next ``--up N``, the
last ``--down N``, every migration up or down to ``--goto V``, or one ``--version V`` in the
direction ``--type up|down``. A plan is a list of steps; the runner executes it (or only
records it with ``--skip-execution``, or only prints it with ``--dry-run``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from devstack.errors import StackError

Direction = Literal["up", "down"]
_NAME = re.compile(r"^\w+$")


class PlanError(StackError):
    """The selection cannot be satisfied (unknown version, already applied, ...)."""


@dataclass(frozen=True)
class Migration:
    """One migration folder ``<version>_<name>/`` with ``up.sql`` and ``down.sql``."""

    version: int
    name: str
    directory: Path

    @property
    def up_path(self) -> Path:
        """The forward SQL."""
        return self.directory / "up.sql"

    @property
    def down_path(self) -> Path:
        """The SQL that undoes ``up.sql``."""
        return self.directory / "down.sql"

    def __str__(self) -> str:
        return f"{self.version}_{self.name}"


@dataclass(frozen=True)
class Step:
    """Run one migration up (``up.sql``, then mark applied) or down (``down.sql``, unmark)."""

    migration: Migration
    direction: Direction

    @property
    def path(self) -> Path:
        """The SQL file the step runs."""
        return self.migration.up_path if self.direction == "up" else self.migration.down_path

    def __str__(self) -> str:
        return f"{self.direction:<4} {self.migration}"


@dataclass(frozen=True)
class Selection:
    """What to run; at most one of ``version``, ``up``, ``down``, ``goto`` is set."""

    version: int | None = None
    direction: Direction = "up"
    """With ``version``: run it up (apply) or down (roll back)."""
    up: int | None = None
    down: int | None = None
    everything_down: bool = False
    goto: int | None = None

    def __post_init__(self) -> None:
        chosen = [name for name in ("version", "up", "down", "goto")
                  if getattr(self, name) is not None]
        if self.everything_down:
            chosen.append("all")
        if len(chosen) > 1:
            raise PlanError(f"give at most one of --version, --up, --down, --goto "
                            f"(got {', '.join('--' + c for c in chosen)})")


def plan(migrations: Sequence[Migration], applied: Mapping[int, bool], selection: Selection,
         folder: Path) -> list[Step]:
    """The steps ``selection`` asks for, given the folder's migrations and the applied ones.

    Raises:
        PlanError: a version that is not there, or not in the state the selection needs.
    """
    local = {m.version: m for m in migrations}
    pending = [m for m in migrations if m.version not in applied]
    done = [local[v] for v in sorted(applied, reverse=True) if v in local]
    if selection.version is not None:
        return [_one(local, applied, selection.version, selection.direction, folder)]
    if selection.goto is not None:
        if selection.goto not in local:
            raise PlanError(f"no migration with version {selection.goto} under {folder}")
        down = [Step(m, "down") for m in done if m.version > selection.goto]
        up = [Step(m, "up") for m in pending if m.version <= selection.goto]
        _refuse_orphans(applied, local, [v for v in applied if v > selection.goto], folder)
        return down + up
    if selection.down is not None or selection.everything_down:
        targets = done if selection.everything_down else done[: selection.down]
        newest = sorted(applied, reverse=True)
        _refuse_orphans(applied, local,
                        newest if selection.everything_down else newest[: selection.down], folder)
        return [Step(m, "down") for m in targets]
    return [Step(m, "up") for m in (pending if selection.up is None else pending[: selection.up])]


def _one(local: Mapping[int, Migration], applied: Mapping[int, bool], version: int,
         direction: Direction, folder: Path) -> Step:
    if version not in local:
        raise PlanError(f"no migration with version {version} under {folder}")
    if direction == "up" and version in applied:
        raise PlanError(f"migration {version} is already applied")
    if direction == "down" and version not in applied:
        raise PlanError(f"migration {version} is not applied")
    return Step(local[version], direction)


def _refuse_orphans(applied: Mapping[int, bool], local: Mapping[int, Migration],
                    versions: Sequence[int], folder: Path) -> None:
    missing = sorted(v for v in versions if v in applied and v not in local)
    if missing:
        raise PlanError(
            f"version(s) {', '.join(map(str, missing))} are applied in the database but have no "
            f"folder under {folder}; cannot roll them back"
        )


def create(folder: Path, name: str, now: dt.datetime | None = None) -> Migration:
    """A new migration ``<epoch ms>_<name>/`` with empty ``up.sql`` and ``down.sql``.

    Raises:
        PlanError: the name is not letters, digits and underscores, or the folder exists.
    """
    if not _NAME.match(name):
        raise PlanError(f"migration name {name!r} must be letters, digits and underscores "
                        "(e.g. add_wallet_labels)")
    moment = now or dt.datetime.now(dt.UTC)
    version = int(moment.timestamp() * 1000)
    directory = folder / f"{version}_{name}"
    if directory.exists():
        raise PlanError(f"{directory} already exists")
    directory.mkdir(parents=True)
    (directory / "up.sql").write_text("")
    (directory / "down.sql").write_text("")
    return Migration(version, name, directory)
