from __future__ import annotations

import itertools
import subprocess
import sys

from devstack.install_progress import npm_lines, pip_lines
from devstack.paths import REPO_ROOT

PIP_OUTPUT = """\
Obtaining file:///src/hasura-aws-backend
Collecting asyncpg==0.32.0 (from hasura-aws-backend==0.1.0)
  Downloading asyncpg-0.32.0-cp311-cp311-manylinux_2_28_x86_64.whl (3.4 MB)
Requirement already satisfied: idna in ./.venv/lib/python3.11/site-packages
Requirement already satisfied: anyio in ./.venv/lib/python3.11/site-packages
Requirement already satisfied: sniffio in ./.venv/lib/python3.11/site-packages
  Building editable for hasura-aws-backend (pyproject.toml): started
Collecting starlette==1.10.0 (from hasura-aws-backend==0.1.0)
Installing collected packages: asyncpg, starlette
Successfully installed asyncpg-0.32.0 starlette-1.10.0
ERROR: Could not find a version that satisfies the requirement nothing==9
""".splitlines()


def _clock(step: float = 1.0) -> object:
    ticks = itertools.count(0, step)
    return lambda: float(next(ticks))


def test_pip_lines_count_each_package_and_keep_errors() -> None:
    """Pip lines count each package and keep errors.

    GIVEN pip's output WHEN filtered THEN each package collected is a numbered line with the
    time so far, downloads, the install and errors show, and routine lines do not.
    """
    lines = list(pip_lines(PIP_OUTPUT, _clock()))  # type: ignore[arg-type]

    assert any("pip:   1 collecting asyncpg==0.32.0" in line for line in lines)
    assert any("pip:   2 collecting starlette==1.10.0" in line for line in lines)
    assert any("downloading asyncpg" in line and "(3.4 MB)" in line for line in lines)
    assert any("installing 2 packages" in line for line in lines)
    assert any("installed 2 packages" in line for line in lines)
    assert lines[-1].startswith("ERROR: Could not find")
    assert any("pip: 3 requirements already satisfied" in line for line in lines)
    assert any("pip: Building editable for hasura-aws-backend (pyproject.toml) ..." in line
               for line in lines)
    assert not any("idna" in line for line in lines)
    assert lines[0].startswith("  [")  # elapsed seconds first


def test_npm_lines_report_fetches_every_few_seconds() -> None:
    """Npm lines report fetches every few seconds.

    GIVEN npm's http log over 10 s WHEN filtered THEN the fetch count shows periodically,
    then npm's summary line.
    """
    fetches = [f"npm http fetch GET 200 https://registry.npmjs.org/p{i} 12ms" for i in range(10)]
    lines = list(npm_lines([*fetches, "added 216 packages in 50s"], _clock()))  # type: ignore[arg-type]

    counts = [line for line in lines if "fetched from the registry" in line]
    assert 3 <= len(counts) <= 6
    assert 5 <= int(counts[-1].split("npm: ")[1].split()[0]) <= 10
    assert lines[-1].endswith("npm: added 216 packages in 50s")


def test_install_progress_runs_with_the_system_python_as_a_filter() -> None:
    """Install progress runs with the system python as a filter.

    GIVEN the script run as ./dev runs it (stdin → stdout) THEN it prints progress lines.
    """
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "devstack" / "install_progress.py"), "pip"],
        input="\n".join(PIP_OUTPUT), capture_output=True, text=True, timeout=30, check=True)

    assert "collecting asyncpg" in result.stdout
    assert "ERROR: Could not find" in result.stdout
