import subprocess
import sys
import time

import psutil

from bench.load.cpu import CpuMeter


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
