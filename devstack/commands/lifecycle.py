"""``devstack up``, ``down`` and ``status``."""

from __future__ import annotations

import signal
import time
from types import FrameType

import click
from rich.table import Table

from devstack import compose
from devstack.console import console
from devstack.errors import StackError
from devstack.ports import ensure_all_free
from devstack.private_state import make_private
from devstack.services.postgres import run_as_user
from devstack.settings import StackSettings
from devstack.stack import (
    Service,
    Step,
    ensure_not_running,
    running_services,
    stop_all,
    stop_request_file,
)


@click.command()
@click.option("--detach", "-d", is_flag=True, help="Start the stack and return (stop: `down`).")
def up(detach: bool) -> None:
    """Start every service (migrations, metadata and seeds applied); Ctrl-C stops them all."""
    settings = StackSettings.load()
    ensure_not_running(settings)
    ensure_all_free(compose.ports(settings))
    make_private(settings.state_dir, run_as_user())
    stop_request_file(settings).unlink(missing_ok=True)
    entries = compose.build(settings)
    started = time.monotonic()
    try:
        for entry in entries:
            t0 = time.monotonic()
            with console.status(f"starting {entry.name} ..."):
                summary = entry.run() if isinstance(entry, Step) else _start(entry)
            console.print(f"[green]✓[/] {entry.name:<18} {summary}  "
                          f"[dim]{time.monotonic() - t0:.1f}s[/]")
    except BaseException:
        stopped = stop_all(settings, list(reversed(compose.service_names(settings))))
        if stopped:
            console.print(f"[yellow]stopped what had started: {', '.join(stopped)}[/]")
        raise
    console.print(f"stack up in {time.monotonic() - started:.1f}s (state in {settings.state_dir})")
    console.print(_endpoints_table([e for e in entries if not isinstance(e, Step)]))
    if detach:
        console.print("running in the background: `./dev status`, `./dev down`")
        return
    console.print("Ctrl-C stops the stack.")
    _wait_for_interrupt(settings)


def _start(service: Service) -> str:
    service.start()
    return service.url()


def _wait_for_interrupt(settings: StackSettings) -> None:
    stop = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop:
            time.sleep(0.5)
            gone = set(compose.service_names(settings)) - set(running_services(settings))
            if gone and stop_request_file(settings).exists():
                console.print("stop requested by `./dev down`: stopping the stack")
                break
            if gone:
                console.print(f"[red]service(s) exited: {', '.join(sorted(gone))}; "
                              f"see {settings.logs_dir}[/]")
                break
    except KeyboardInterrupt:
        pass
    stopped = stop_all(settings, list(reversed(compose.service_names(settings))))
    stop_request_file(settings).unlink(missing_ok=True)
    console.print(f"stopped: {', '.join(stopped) or 'nothing left running'}")


@click.command()
def down() -> None:
    """Stop every service of the stack started from this state folder."""
    settings = StackSettings.load()
    if running_services(settings):
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        stop_request_file(settings).touch()
    stopped = stop_all(settings, list(reversed(compose.service_names(settings))))
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@click.command()
def status() -> None:
    """Each service, its URL, and whether it is healthy."""
    settings = StackSettings.load()
    services = [e for e in compose.build(settings) if not isinstance(e, Step)]
    table = _endpoints_table(services, with_health=True, running=running_services(settings))
    console.print(table)
    if not all(s.healthy() for s in services):
        raise SystemExit(1)


def _endpoints_table(
    services: list[Service], with_health: bool = False, running: dict[str, int] | None = None
) -> Table:
    table = Table(title="endpoints")
    table.add_column("service")
    table.add_column("url")
    table.add_column("stands in for")
    if with_health:
        table.add_column("pid")
        table.add_column("health")
    for service in services:
        row = [service.name, service.url(), service.describe()]
        if with_health:
            pid = (running or {}).get(service.name)
            row.append(str(pid) if pid else "-")
            row.append("[green]healthy[/]" if service.healthy() else "[red]down[/]")
        table.add_row(*row)
    return table


__all__ = ["StackError", "down", "status", "up"]
