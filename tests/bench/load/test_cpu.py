import subprocess
import sys
import time

from bench.load.cpu import CpuMeter


def test_cpu_meter_charges_a_busy_process_to_its_group() -> None:
    """A busy process's CPU is charged to its group.

    GIVEN a child process that burns CPU for about 0.4 s, then sleeps
    WHEN its group is sampled around that
    THEN the group is charged most of it and the rest of the machine is not negative.
    """
    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nt=time.process_time()\n"
                              "while time.process_time()-t<0.4: pass\ntime.sleep(5)"])
    try:
        meter = CpuMeter({"busy": [child.pid]})
        before = meter.sample()
        time.sleep(1.0)
        usage = CpuMeter.usage(before, meter.sample())
        assert usage.groups["busy"] >= 0.25
        assert usage.other_s >= 0
        assert float(str(usage.to_json()["other_cores"])) >= 0
    finally:
        child.kill()
        child.wait()
