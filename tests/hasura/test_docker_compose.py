from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.hasura_project import metadata_dir
from devstack.paths import HASURA_DIR, REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")
_TEMPLATE = re.compile(r"\{\{([A-Z0-9_]+)\}\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml, parsed."""
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def _documented() -> set[str]:
    """Variables .env.example lists, set (NAME=...) or shown commented out (# NAME=...)."""
    found = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            found.add(match.group(1))
    return found


def test_docker_compose_pins_every_image(compose: dict[str, Any]) -> None:
    """Docker compose pins every image.

    Docker compose pins every image.

    GIVEN docker-compose.yml WHEN reading each pulled image THEN it has an explicit version tag
    (no `latest`, no bare name), and Hasura is a v2 cli-migrations-v3 image.
    """
    for name, service in compose["services"].items():
        if "build" in service:
            continue
        image = service["image"]
        tag = image.partition(":")[2]
        assert tag != "latest", (name, image)
        assert re.search(r"\d+\.\d+", tag), (name, image)
    engine = compose["services"]["graphql-engine"]["image"]
    assert re.fullmatch(r"hasura/graphql-engine:v2\.\d+\.\d+\.cli-migrations-v3", engine)


def test_docker_compose_mounts_the_hasura_folders(compose: dict[str, Any]) -> None:
    """Docker compose mounts the hasura folders.

    Docker compose mounts the hasura folders.

    GIVEN the engine service WHEN reading its volumes THEN ./hasura/migrations and
    ./hasura/metadata are mounted where the cli-migrations image reads them, and exist.
    """
    volumes = {}
    for entry in compose["services"]["graphql-engine"]["volumes"]:
        source, target = entry.split(":")[:2]
        volumes[target] = source
    assert volumes["/hasura-migrations"] == "./hasura/migrations"
    assert volumes["/hasura-metadata"] == "./hasura/metadata"
    for source in volumes.values():
        assert (REPO_ROOT / source).is_dir(), source


def test_docker_compose_builds_from_existing_dockerfiles(compose: dict[str, Any]) -> None:
    """Docker compose builds from existing dockerfiles.

    Docker compose builds from existing dockerfiles.

    GIVEN the services built locally WHEN reading their build section THEN the Dockerfile
    exists in the repository.
    """
    built = {n: s["build"] for n, s in compose["services"].items() if "build" in s}
    assert {"actions", "triggers"} <= set(built)
    for name, build in built.items():
        dockerfile = REPO_ROOT / build.get("context", ".") / build["dockerfile"]
        assert dockerfile.is_file(), (name, dockerfile)


def test_docker_compose_variables_are_documented(compose: dict[str, Any]) -> None:
    """Docker compose variables are documented.

    Docker compose variables are documented.

    GIVEN every ${VARIABLE} docker-compose.yml reads from the host THEN .env.example lists it.
    """
    used = set(_VARIABLE.findall(COMPOSE.read_text()))

    assert used
    assert used - _documented() == set()


def _env_references(node: Any) -> set[str]:
    """Environment variables metadata reads: ``*from_env`` keys and ``{{TEMPLATES}}``."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("from_env") and isinstance(value, str):
                found.add(value)
            found |= _env_references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _env_references(value)
    elif isinstance(node, str):
        found |= set(_TEMPLATE.findall(node))
    return found


def test_docker_compose_gives_the_engine_every_variable_metadata_reads(
    compose: dict[str, Any],
) -> None:
    """Docker compose gives the engine every variable metadata reads.

    Docker compose gives the engine every variable metadata reads.

    GIVEN the metadata's from_env, value_from_env and {{VAR}} references THEN the engine
    container's environment sets each, and .env.example documents each.
    """
    needed = _env_references(metadata_dir.read(HASURA_DIR).metadata)
    environment = set(compose["services"]["graphql-engine"]["environment"])

    assert {"HASURA_GRAPHQL_DATABASE_URL", "EVENT_TRIGGER_URL"} <= needed
    assert needed - environment == set()
    assert needed - _documented() == set()


def test_docker_compose_seeds_are_the_project_seeds(compose: dict[str, Any]) -> None:
    """Docker compose seeds are the project seeds.

    Docker compose seeds are the project seeds.

    GIVEN the one-shot seed service THEN it loads hasura/seeds/default.
    """
    volumes = compose["services"]["seed"]["volumes"]
    sources = [Path(v.split(":")[0]) for v in volumes]
    assert Path("./hasura/seeds/default") in sources
    assert (REPO_ROOT / "hasura" / "seeds" / "default").is_dir()


def test_docker_compose_sends_nothing_off_the_machine_by_default(compose: dict[str, Any]) -> None:
    """Docker compose sends nothing off the machine by default.

    GIVEN docker-compose.yml WHEN reading every URL a service gets by default (a literal
    value or a ``${VAR:-default}``) THEN each names a compose service or loopback, so event
    payloads (user rows) and the shared-secret header stay local unless configured.
    """
    services = set(compose["services"])
    local = services | {"localhost", "127.0.0.1"}
    urls: list[tuple[str, str, str]] = []
    for service, spec in compose["services"].items():
        for name, value in (spec.get("environment") or {}).items():
            text = str(value)
            default = re.fullmatch(r"\$\{[A-Z0-9_]+:-(.*)\}", text)
            text = default.group(1) if default else text
            if re.match(r"https?://", text):
                urls.append((service, name, text))
    assert any(name == "EVENT_TRIGGER_URL" for _, name, _ in urls)
    outside = [(s, n, u) for s, n, u in urls
               if (re.match(r"https?://([^:/]+)", u) or [None, ""])[1] not in local]
    assert outside == []
