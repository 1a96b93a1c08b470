"""Reference material for tests: present, or the test skips with one line naming the setting.

Everything kept outside the checkout (Hasura's conformance cases and metadata schema, the
Chinook set) is found through ``REFERENCE_DIR`` (:mod:`devstack.reference`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack import reference

METADATA_SCHEMA = ("hasura", "metadata.openapi.json")
CONFORMANCE_CASES = ("hasura", "conformance")
CHINOOK = ("bench", "chinook")


def needs(*parts: str) -> pytest.MarkDecorator:
    """Skip the test (or module, as ``pytestmark``) when ``parts`` is absent."""
    reason = reference.missing_reason(*parts)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def path(*parts: str) -> Path:
    """The path of ``parts`` in the reference folder (use with :func:`needs`)."""
    return reference.reference_path(*parts)
