"""The environment Terraform gives each service matches the settings its code reads.

The services' settings ignore unknown variables, so a misspelt name in Terraform would
only show up as a failed cold start on AWS; this reads both sides and compares them.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from .conftest import ENVS_DIR, attr, labelled, load_hcl

# Function key in envs/dev -> the settings classes its code reads at start-up (both services
# also read the timeline's, the auctions' and how to authenticate to Redis).
TIMELINE = ("timeline.settings", "TimelineSettings")
AUCTIONS = ("auctions.settings", "AuctionSettings")
REDIS_IAM = ("actions.redis_iam", "RedisIamSettings")
SERVICES = {
    "actions": (("actions.settings", "ActionSettings"), TIMELINE, AUCTIONS, REDIS_IAM),
    "triggers": (("triggers.settings", "TriggerSettings"), TIMELINE, AUCTIONS, REDIS_IAM),
}


def terraform_environment(function: str) -> set[str]:
    """Names of the environment variables envs/dev sets on a function."""
    modules = labelled(load_hcl(ENVS_DIR / "dev")["module"])
    services = attr(modules["services"], "functions")
    environment = services[function].get("environment", {})
    assert isinstance(environment, dict), "keep the services' environment a literal map"
    return set(environment)


def settings_fields(module_name: str, class_name: str) -> dict[str, tuple[str, bool]]:
    """Environment variable name -> (field name, required) for a pydantic settings class."""
    model: Any = getattr(importlib.import_module(module_name), class_name)
    fields = {}
    for name, field in model.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else name
        fields[alias.upper()] = (name, field.is_required())
    return fields


@pytest.mark.parametrize("function", sorted(SERVICES))
def test_service_settings_are_all_provided_and_all_known(function: str) -> None:
    """Service settings are all provided and all known.

    GIVEN a service's settings classes WHEN compared with Terraform THEN names match both
    ways.
    """
    fields: dict[str, tuple[str, bool]] = {}
    for module_name, class_name in SERVICES[function]:
        fields.update(settings_fields(module_name, class_name))
    class_name = " or ".join(name for _, name in SERVICES[function])
    provided = terraform_environment(function)

    missing = sorted(
        env for env, (_, required) in fields.items() if required and env not in provided
    )
    unknown = sorted(provided - fields.keys())

    assert missing == [], f"{function}: Terraform does not set {missing}"
    assert unknown == [], f"{function}: Terraform sets {unknown}, which its settings ignore"
