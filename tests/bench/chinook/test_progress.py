from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

from bench.chinook.progress import PhaseProgress, duration
from devstack.paths import REPO_ROOT


def test_phase_progress_names_case_target_concurrency_and_time_left() -> None:
    """Phase progress names case, target, concurrency and time left.

    GIVEN a phase of three 10 s runs WHEN each is announced THEN each line names the case,
    target and concurrency, and the time left falls 30 s → 20 s → 10 s; a skipped run no
    longer counts.
    """
    lines: list[str] = []
    ticks = itertools.count(0, 10)
    progress = PhaseProgress("closed loop", 40.0, lines.append, lambda: float(next(ticks)))

    progress.run(10, case="simple_query", target="engine", concurrency="8", note="round 1/2")
    progress.skip(10)
    progress.run(10, case="simple_query", target="floor", concurrency="8")
    progress.run(10, case="complex_query", target="engine", concurrency="32")

    assert "simple_query · engine · concurrency 8 round 1/2: 10s run, ~40s left" in lines[0]
    assert "simple_query · floor · concurrency 8: 10s run, ~20s left" in lines[1]
    assert "complex_query · engine · concurrency 32: 10s run, ~10s left" in lines[2]
    assert lines[2].startswith("  [closed loop 30s]")  # time since the phase started


def test_duration_reads_as_minutes_and_seconds() -> None:
    """GIVEN seconds THEN ``1m15s`` style, seconds alone under a minute."""
    assert [duration(75), duration(9.6), duration(600)] == ["1m15s", "10s", "10m00s"]


def test_bench_stops_with_one_line_naming_the_setting_without_reference(tmp_path: Path) -> None:
    """Bench stops with one line naming the setting without reference material.

    GIVEN REFERENCE_DIR pointing at an empty folder WHEN the benchmark starts THEN it stops
    at once (exit 2) with one line naming REFERENCE_DIR, no traceback.
    """
    env = {**os.environ, "REFERENCE_DIR": str(tmp_path)}

    result = subprocess.run([sys.executable, "-m", "bench.chinook", "--quick"], cwd=REPO_ROOT,
                            env=env, capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "REFERENCE_DIR" in result.stderr
    assert str(tmp_path) in result.stderr
