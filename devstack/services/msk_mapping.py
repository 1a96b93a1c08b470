"""The local MSK event source mapping as a stack service (``python -m devstack.msk_mapping``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from devstack.ports import LOOPBACK
from devstack.process import ManagedProcess, read_pid
from devstack.services.http import python_module_argv
from devstack.settings import StackSettings
from devstack.stack import log_file, pid_file


class MskMappingService:
    """Feeds ``function`` from ``topic`` on the local broker, as Lambda's MSK trigger does."""

    def __init__(self, settings: StackSettings, name: str, *, topic: str, function: str,
                 group_id: str, environment: Callable[[], Mapping[str, str]],
                 batch_size: int = 100) -> None:
        self.settings = settings
        self.name = name
        self.topic = topic
        self.function = function
        self.group_id = group_id
        self.batch_size = batch_size
        self.environment = environment
        """Called at start: the AWS settings (moto) and the on-failure queue's URL."""
        self.ready_file = settings.state_dir / "msk_mapping" / f"{name}.ready"
        self.process: ManagedProcess | None = None

    def url(self) -> str:
        """What it connects: topic → function."""
        return f"kafka://{LOOPBACK}:{self.settings.kafka_port}/{self.topic} → {self.function}"

    def describe(self) -> str:
        """What this stands in for."""
        return f"Lambda MSK trigger (batch {self.batch_size})"

    def start(self) -> None:
        """Start the mapping and wait until its consumer has the topic's partitions."""
        self.ready_file.parent.mkdir(parents=True, exist_ok=True)
        self.ready_file.unlink(missing_ok=True)
        env = {
            **self.environment(),
            "MSK_MAPPING_BOOTSTRAP_SERVERS": f"{LOOPBACK}:{self.settings.kafka_port}",
            "MSK_MAPPING_TOPIC": self.topic,
            "MSK_MAPPING_FUNCTION": self.function,
            "MSK_MAPPING_LAMBDA_ENDPOINT": f"http://{LOOPBACK}:{self.settings.lambda_port}",
            "MSK_MAPPING_GROUP_ID": self.group_id,
            "MSK_MAPPING_BATCH_SIZE": str(self.batch_size),
            "MSK_MAPPING_READY_FILE": str(self.ready_file),
        }
        self.process = ManagedProcess(
            self.name, python_module_argv("devstack.msk_mapping"),
            log_file(self.settings, self.name), pid_file(self.settings, self.name), env=env)
        self.process.start()
        self.process.wait_until(self.ready_file.exists, timeout=60)

    def healthy(self) -> bool:
        """Whether the process runs and its consumer joined the group."""
        return read_pid(pid_file(self.settings, self.name)) is not None \
            and self.ready_file.exists()

    def stop(self) -> None:
        """Stop the mapping if this object started it."""
        if self.process is not None:
            self.process.stop()
