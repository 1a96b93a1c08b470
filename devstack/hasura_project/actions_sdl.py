"""``actions.graphql`` ⇄ the JSON ``actions`` and ``custom_types`` of Hasura metadata.

In the directory format an action is split in two: its GraphQL signature (a field of
``type Query``/``type Mutation``) and its custom types live in ``actions.graphql``; handler,
headers, permissions and comments live in ``actions.yaml``. Reading merges both into the JSON
that ``replace_metadata`` takes; writing splits the JSON of ``export_metadata`` back.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, parse
from graphql.language import ast, print_ast

from devstack.errors import StackError

ROOT_TYPES = {"Query": "query", "Mutation": "mutation"}
_KIND_KEYS = {
    ast.ObjectTypeDefinitionNode: "objects",
    ast.InputObjectTypeDefinitionNode: "input_objects",
    ast.ScalarTypeDefinitionNode: "scalars",
    ast.EnumTypeDefinitionNode: "enums",
}
KIND_ORDER = ("enums", "input_objects", "objects", "scalars")


class ActionsSdlError(StackError):
    """``actions.graphql`` cannot be parsed or does not match ``actions.yaml``."""


def _with_description(entry: dict[str, Any], node: Any) -> dict[str, Any]:
    description = getattr(node, "description", None)
    if description is not None:
        entry["description"] = description.value
    return entry


def _fields(node: Any) -> list[dict[str, Any]]:
    fields = []
    for field in node.fields or ():
        entry: dict[str, Any] = {"name": field.name.value, "type": print_ast(field.type)}
        arguments = [
            _with_description({"name": arg.name.value, "type": print_ast(arg.type)}, arg)
            for arg in getattr(field, "arguments", None) or ()
        ]
        if arguments:
            entry["arguments"] = arguments
        fields.append(_with_description(entry, field))
    return fields


def parse_sdl(sdl: str) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Action signatures by name, and custom type definitions by kind, from ``actions.graphql``."""
    if not sdl.strip():
        return {}, {kind: [] for kind in KIND_ORDER}
    try:
        document = parse(sdl)
    except GraphQLError as exc:
        raise ActionsSdlError(f"actions.graphql: {exc.message} at {exc.locations}") from exc
    signatures: dict[str, dict[str, Any]] = {}
    types: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KIND_ORDER}
    for definition in document.definitions:
        name = getattr(getattr(definition, "name", None), "value", "")
        if name in ROOT_TYPES and isinstance(
            definition, ast.ObjectTypeDefinitionNode | ast.ObjectTypeExtensionNode
        ):
            for field in definition.fields or ():
                signature: dict[str, Any] = {
                    "type": ROOT_TYPES[name],
                    "arguments": [
                        _with_description({"name": a.name.value, "type": print_ast(a.type)}, a)
                        for a in field.arguments or ()
                    ],
                    "output_type": print_ast(field.type),
                }
                signatures[field.name.value] = signature
            continue
        kind = _KIND_KEYS.get(type(definition))
        if kind is None:
            raise ActionsSdlError(f"actions.graphql: unsupported definition {name or definition}")
        entry = _with_description({"name": name}, definition)
        if kind == "enums":
            entry["values"] = [
                _with_description({"value": value.name.value}, value)
                for value in getattr(definition, "values", None) or ()
            ]
        elif kind != "scalars":
            entry["fields"] = _fields(definition)
        types[kind].append(entry)
    return signatures, types


def merge(
    sdl: str, actions_yaml: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The metadata ``actions`` and ``custom_types`` from ``actions.graphql`` + ``actions.yaml``.

    Raises:
        ActionsSdlError: an action is in one file and not the other.
    """
    doc = actions_yaml or {}
    signatures, types = parse_sdl(sdl)
    actions: list[dict[str, Any]] = []
    for action in doc.get("actions") or []:
        name = action.get("name")
        if name not in signatures:
            raise ActionsSdlError(
                f"action {name!r} is in actions.yaml but has no field in type Query or "
                "type Mutation of actions.graphql"
            )
        merged = dict(action)
        merged["definition"] = {**(action.get("definition") or {}), **signatures.pop(name)}
        actions.append(merged)
    if signatures:
        raise ActionsSdlError(
            f"action(s) {', '.join(sorted(signatures))} are in actions.graphql but not in "
            "actions.yaml (add a handler for each)"
        )
    # actions.yaml lists custom types by name with what SDL cannot say (relationships).
    extras = {
        (kind, entry.get("name")): entry
        for kind in KIND_ORDER
        for entry in (doc.get("custom_types") or {}).get(kind) or []
    }
    for kind in KIND_ORDER:
        for entry in types[kind]:
            extra = extras.get((kind, entry["name"]), {})
            entry.update({k: v for k, v in extra.items() if k != "name"})
    return actions, types


def split(
    actions: list[dict[str, Any]], custom_types: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """``actions.graphql`` text and ``actions.yaml`` content from metadata JSON."""
    blocks: list[str] = []
    yaml_actions = []
    for action in actions:
        definition = dict(action.get("definition") or {})
        root = "Query" if definition.pop("type", "mutation") == "query" else "Mutation"
        arguments = definition.pop("arguments", None) or []
        output_type = definition.pop("output_type", "")
        blocks.append(
            f"type {root} {{\n{_field_sdl(action['name'], arguments, output_type)}\n}}\n"
        )
        entry = {k: v for k, v in action.items() if k != "definition"}
        entry = {"name": action["name"], "definition": definition,
                 **{k: v for k, v in entry.items() if k != "name"}}
        yaml_actions.append(entry)
    yaml_types: dict[str, list[dict[str, Any]]] = {}
    for kind in KIND_ORDER:
        yaml_types[kind] = []
        for entry in custom_types.get(kind) or []:
            blocks.append(_type_sdl(kind, entry))
            keep = {k: v for k, v in entry.items()
                    if k not in ("fields", "values", "description")}
            yaml_types[kind].append(keep)
    return "\n".join(blocks), {"actions": yaml_actions, "custom_types": yaml_types}


def _description(entry: dict[str, Any], indent: str) -> str:
    text = entry.get("description")
    if text is None:
        return ""
    return f'{indent}"""\n{indent}{text}\n{indent}"""\n'


def _field_sdl(name: str, arguments: list[dict[str, Any]], output_type: str) -> str:
    if not arguments:
        return f"  {name}: {output_type}"
    args = "\n".join(
        _description(arg, "    ") + f"    {arg['name']}: {arg['type']}" for arg in arguments
    )
    return f"  {name}(\n{args}\n  ): {output_type}"


def _type_sdl(kind: str, entry: dict[str, Any]) -> str:
    head = _description(entry, "")
    name = entry["name"]
    if kind == "scalars":
        return f"{head}scalar {name}\n"
    if kind == "enums":
        body = "\n".join(_description(v, "  ") + f"  {v['value']}" for v in entry["values"])
        return f"{head}enum {name} {{\n{body}\n}}\n"
    keyword = "input" if kind == "input_objects" else "type"
    lines = []
    for field in entry.get("fields") or []:
        lines.append(
            _description(field, "  ")
            + _field_sdl(field["name"], field.get("arguments") or [], field["type"])
        )
    return f"{head}{keyword} {name} {{\n" + "\n".join(lines) + "\n}\n"
