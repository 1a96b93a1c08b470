"""Configured headers, resolved one way for actions, remote schemas and triggers."""

from __future__ import annotations

import re

import pytest

from engine.actions.definitions import (
    HeaderSpec,
    UnsetVariableError,
    read_action,
    resolve_template,
)
from engine.actions.webhook import request_headers
from engine.events.webhook import Header, WebhookConfigError, WebhookSpec
from engine.graphql.errors import GraphQLFieldError
from engine.remote.config import RemoteSchemaConfigError, RemoteSchemaDef


def test_header_spec_resolved_reads_the_variable_or_the_value() -> None:
    """GIVEN a fixed header, one from the environment and an empty one WHEN resolved.

    THEN the value, the variable's value and None; an unset variable names it and the header.
    """
    env = {"SECRET": "s3cret"}
    assert HeaderSpec("X-A", "fixed").resolved(env) == "fixed"
    assert HeaderSpec("X-B", value_from_env="SECRET").resolved(env) == "s3cret"
    assert HeaderSpec("X-C").resolved(env) is None
    with pytest.raises(UnsetVariableError, match="'MISSING' for header 'X-D'"):
        HeaderSpec("X-D", value_from_env="MISSING").resolved(env)


def test_header_resolution_errors_keep_each_callers_type() -> None:
    """GIVEN a header whose variable is unset WHEN an action, a remote schema or a trigger.

    resolves it THEN each raises its own error naming the variable.
    """
    header = HeaderSpec("X-Key", value_from_env="UNSET_KEY")
    action = read_action({"name": "a", "definition": {
        "handler": "http://h", "headers": [{"name": "X-Key", "value_from_env": "UNSET_KEY"}]}})
    with pytest.raises(GraphQLFieldError, match="UNSET_KEY") as caught:
        request_headers(action, {}, env={})
    assert caught.value.code == "unexpected"
    with pytest.raises(RemoteSchemaConfigError, match=r"remote schema 'r'.*UNSET_KEY"):
        RemoteSchemaDef("r", "http://r", headers=(header,)).header_values({})
    spec = WebhookSpec(url="http://w", headers=(Header.parse(
        {"name": "X-Key", "value_from_env": "UNSET_KEY"}),))
    with pytest.raises(WebhookConfigError, match="UNSET_KEY"):
        spec.resolve_headers({})
    assert spec.resolve_headers({"UNSET_KEY": "k"})["X-Key"] == "k"


def test_resolve_template_fills_variables_and_names_an_unset_one() -> None:
    """GIVEN ``{{BASE}}/login`` WHEN BASE is set THEN the URL; WHEN unset THEN each caller.

    (a trigger's webhook, here) raises its own error naming the variable.
    """
    assert resolve_template("{{ BASE }}/login", {"BASE": "http://a"}) == "http://a/login"
    with pytest.raises(UnsetVariableError, match=re.escape("'BASE' used in '{{BASE}}/login'")):
        resolve_template("{{BASE}}/login", {})
    with pytest.raises(WebhookConfigError, match="'BASE'"):
        WebhookSpec(url="{{BASE}}/hook").resolve_url({})
