"""``python -m devstack.msk_mapping``: run one mapping until SIGTERM/SIGINT.

Configured by the environment (``devstack`` writes it): ``MSK_MAPPING_BOOTSTRAP_SERVERS``,
``MSK_MAPPING_TOPIC``, ``MSK_MAPPING_FUNCTION``, ``MSK_MAPPING_LAMBDA_ENDPOINT``,
``MSK_MAPPING_GROUP_ID``, ``MSK_MAPPING_BATCH_SIZE``, ``MSK_MAPPING_BATCHING_WINDOW``,
``MSK_MAPPING_MAX_RETRY_ATTEMPTS``, ``MSK_MAPPING_ON_FAILURE_QUEUE_URL`` (optional, with
``AWS_ENDPOINT_URL`` for moto), and ``MSK_MAPPING_READY_FILE``, written once the consumer
has its partitions.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

from devstack.msk_mapping.mapping import MappingConfig, MskEventSourceMapping


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"setting {name} is required")
    return value


def config_from_environment() -> MappingConfig:
    """The mapping's settings, read once at start-up."""
    queue = os.environ.get("MSK_MAPPING_ON_FAILURE_QUEUE_URL") or None
    sqs = None
    if queue:
        import boto3

        sqs = boto3.client("sqs")
    return MappingConfig(
        bootstrap_servers=_required("MSK_MAPPING_BOOTSTRAP_SERVERS"),
        topic=_required("MSK_MAPPING_TOPIC"),
        function_name=_required("MSK_MAPPING_FUNCTION"),
        lambda_endpoint=_required("MSK_MAPPING_LAMBDA_ENDPOINT"),
        group_id=_required("MSK_MAPPING_GROUP_ID"),
        batch_size=int(os.environ.get("MSK_MAPPING_BATCH_SIZE", "100")),
        batching_window=float(os.environ.get("MSK_MAPPING_BATCHING_WINDOW", "0.5")),
        max_retry_attempts=int(os.environ.get("MSK_MAPPING_MAX_RETRY_ATTEMPTS", "2")),
        on_failure_queue_url=queue, sqs_client=sqs,
    )


async def _main() -> None:
    config = config_from_environment()
    ready_file = Path(os.environ["MSK_MAPPING_READY_FILE"]) \
        if os.environ.get("MSK_MAPPING_READY_FILE") else None
    mapping = MskEventSourceMapping(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(mapping.run(stop))
    waiter = asyncio.create_task(mapping.assigned.wait())
    await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if waiter.done() and ready_file is not None:
        await asyncio.to_thread(ready_file.write_text, str(os.getpid()))
    waiter.cancel()
    try:
        await runner
    finally:
        if ready_file is not None:
            await asyncio.to_thread(ready_file.unlink, True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per invocation otherwise
    asyncio.run(_main())
