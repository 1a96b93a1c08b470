import subprocess
import sys
import time

import psutil
import pytest

from bench.load.cpu import CpuMeter, tree_cpu_seconds


def test_cpu_meter_charges_a_busy_process_to_its_group() -> None:
    """A busy process's CPU is charged to its group.

    GIVEN a child process that burns 0.4 s of CPU, then sleeps
    WHEN its group is sampled before and after the burn
    THEN the group is charged most of it and the rest of the machine is not negative.
    """
    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nt=time.process_time()\n"
                              "while time.process_time()-t<0.4: pass\ntime.sleep(30)"])
    try:
        meter = CpuMeter({"busy": [child.pid]})
        before = meter.sample()
        deadline = time.monotonic() + 20  # a loaded machine gives the child less than a core
        while time.monotonic() < deadline:
            times = psutil.Process(child.pid).cpu_times()
            if times.user + times.system >= 0.4:
                break
            time.sleep(0.05)
        usage = CpuMeter.usage(before, meter.sample())
        assert usage.groups["busy"] >= 0.3
        assert usage.other_s >= 0
        assert float(str(usage.to_json()["other_cores"])) >= 0
    finally:
        child.kill()
        child.wait()



class _Times:
    def __init__(self, own: float, reaped: float) -> None:
        self.user, self.system = own, 0.0
        self.children_user, self.children_system = reaped, 0.0


class _Gone:
    """A child that exited and was reaped before it could be read."""

    def cpu_times(self) -> _Times:
        raise psutil.NoSuchProcess(2)


class _Parent:
    """A parent (0.5 s) whose reaped children's CPU goes from 1 s to 3 s while it is read."""

    def __init__(self) -> None:
        self.reaped = iter([1.0, 3.0, 3.0, 3.0])
        self.listed = iter([[_Gone()], []])

    def cpu_times(self) -> _Times:
        return _Times(0.5, next(self.reaped))

    def children(self, recursive: bool = False) -> list[_Gone]:
        return next(self.listed)


def test_a_child_reaped_during_a_reading_is_still_counted(monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    """A child reaped while its parent's tree is read is still counted.

    GIVEN a parent (0.5 s) that has reaped 1 s of children, and a child (2 s) reaped after
      the parent's counters were read and before its own could be
    WHEN the tree's CPU is read
    THEN the reading is taken again, since the parent's counters moved, and counts 3.5 s.
    """
    parent = _Parent()
    monkeypatch.setattr(psutil, "Process", lambda pid: parent)
    assert tree_cpu_seconds(1) == pytest.approx(3.5)


def test_a_groups_children_are_followed_one_by_one() -> None:
    """The children of a followed group are counted: busy ones and their sleeps.

    GIVEN a process whose child burns 0.1 s of CPU, then sleeps and wakes 200 times
    WHEN the group is sampled with its children followed, before and after
    THEN one child was busy and it switched away voluntarily at least 100 times.
    """
    script = ("import subprocess, sys\n"
              "code = ('import time\\nt=time.process_time()\\n'\n"
              "        'while time.process_time()-t<0.1: pass\\n'\n"
              "        'for _ in range(200): time.sleep(0.001)\\ntime.sleep(30)')\n"
              "subprocess.Popen([sys.executable, '-c', code]).wait()\n")
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        meter = CpuMeter({"tree": [parent.pid]}, per_child=("tree",))
        deadline = time.monotonic() + 20
        while not psutil.Process(parent.pid).children() and time.monotonic() < deadline:
            time.sleep(0.01)
        before = meter.sample()
        child = psutil.Process(parent.pid).children()[0]
        while time.monotonic() < deadline and child.num_ctx_switches().voluntary < 150:
            time.sleep(0.05)
        usage = CpuMeter.usage(before, meter.sample())
        activity = usage.children["tree"]
        assert activity.busy == 1
        assert activity.voluntary >= 100
        assert usage.to_json()["children"] == {"tree": activity.to_json()}
    finally:
        for process in psutil.Process(parent.pid).children(recursive=True):
            process.kill()
        parent.kill()
        parent.wait()
