"""Structure of the Lambda image build files (no Docker engine is needed, or used).

The images cannot be built on the machines the suite runs on, so these checks cover what
breaks a build or a deployment silently: the base image, the folders copied in, and the
handlers that the image CMD and Terraform's per-function commands name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import ENVS_DIR, REPO_ROOT, attr, labelled, load_hcl

DOCKER_DIR = REPO_ROOT / "infra" / "docker"
DOCKERFILES = sorted(DOCKER_DIR.glob("*.Dockerfile"))
BASE_IMAGE = re.compile(r"^public\.ecr\.aws/lambda/python:3\.11(@sha256:[0-9a-f]{64})?$")

# Which image each instance of the lambda module in envs/dev runs.
IMAGE_OF_MODULE = {
    "cognito_triggers": "lambdas.Dockerfile",
    "jobs": "lambdas.Dockerfile",
    "services": "service.Dockerfile",
}


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments and heredoc bodies left out."""
    found = []
    heredoc_end: str | None = None
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        if heredoc_end is not None:
            if line.strip() == heredoc_end:
                heredoc_end = None
            continue
        if not line.strip() or line.lstrip().startswith("#") or line.startswith((" ", "\t")):
            continue
        keyword, _, rest = line.partition(" ")
        found.append((keyword.upper(), rest.strip()))
        if marker := re.search(r"<<-?'?(\w+)'?", rest):
            heredoc_end = marker.group(1)
    return found


def copied_folders(dockerfile: Path) -> set[str]:
    """Repository folders the Dockerfile copies into the image (`COPY lambdas/ ...`)."""
    return {
        args.split()[0].rstrip("/")
        for keyword, args in instructions(dockerfile)
        if keyword == "COPY" and args.split()[0].endswith("/")
    }


def handler_file(handler: str) -> Path:
    """`actions.lambda_handler.handler` -> actions/lambda_handler.py in the repository."""
    module = handler.rsplit(".", 1)[0]
    return REPO_ROOT / (module.replace(".", "/") + ".py")


def require_handler_module(handler: str) -> None:
    """Fail on a handler outside the repo's layout; skip (saying so) one not written yet."""
    path = handler_file(handler)
    package = path.relative_to(REPO_ROOT).parts[0]
    assert (REPO_ROOT / package).is_dir(), f"{handler}: no {package}/ folder in the repository"
    if not path.is_file():
        pytest.skip(f"{path.relative_to(REPO_ROOT)} is not in the repository yet")


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_builds_on_the_lambda_python_311_base(dockerfile: Path) -> None:
    """GIVEN a Dockerfile WHEN read THEN one FROM, AWS's Lambda Python 3.11 image, and a CMD."""
    steps = instructions(dockerfile)
    bases = [args for keyword, args in steps if keyword == "FROM"]

    assert len(bases) == 1, bases
    assert BASE_IMAGE.match(bases[0]), bases[0]
    assert steps[-1][0] == "CMD"
    assert all(keyword != "ADD" for keyword, _ in steps), "use COPY: ADD fetches URLs"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_copies_only_paths_that_exist(dockerfile: Path) -> None:
    """GIVEN a Dockerfile WHEN its COPY sources are read THEN each exists in the repository."""
    sources = [args.split()[0] for keyword, args in instructions(dockerfile) if keyword == "COPY"]

    assert sources
    assert [s for s in sources if not (REPO_ROOT / s).exists()] == []


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_installs_pinned_dependencies_from_pyproject(dockerfile: Path) -> None:
    """GIVEN a Dockerfile WHEN read THEN dependencies come from pyproject.toml, without cache."""
    text = dockerfile.read_text(encoding="utf-8")

    assert "COPY pyproject.toml" in text
    assert re.search(r"pip install --no-cache-dir --requirement \S+ --target", text)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_cmd_names_a_handler_in_a_copied_module(dockerfile: Path) -> None:
    """GIVEN a Dockerfile's CMD WHEN resolved THEN its module is copied in and in the repo."""
    command = json.loads(next(a for k, a in instructions(dockerfile) if k == "CMD"))

    assert len(command) == 1
    assert handler_file(command[0]).relative_to(REPO_ROOT).parts[0] in copied_folders(dockerfile)
    require_handler_module(command[0])


def _deployed_handlers() -> list[tuple[str, str, str]]:
    modules = labelled(load_hcl(ENVS_DIR / "dev")["module"])
    found = []
    for module_name, image in IMAGE_OF_MODULE.items():
        functions: dict[str, Any] = attr(modules[module_name], "functions")
        found += [(key, spec["handler"], image) for key, spec in functions.items()]
    return found


@pytest.mark.parametrize(
    ("function", "handler", "image"), _deployed_handlers(), ids=lambda v: str(v)
)
def test_terraform_handlers_are_inside_the_image_they_run(
    function: str, handler: str, image: str
) -> None:
    """GIVEN each function's handler WHEN matched to its image THEN the image copies it in."""
    package = handler_file(handler).relative_to(REPO_ROOT).parts[0]

    assert package in copied_folders(DOCKER_DIR / image), f"{function}: {package}/ not in {image}"
    require_handler_module(handler)
