"""A request's GraphQL document: parsed and validated once per role, and its operation."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from graphql import (
    FragmentDefinitionNode,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    parse,
    validate,
)

from engine.graphql.errors import GraphQLFieldError, validation
from engine.graphql.plan import ParsedDocument
from engine.graphql.rules import RULES

log = logging.getLogger(__name__)


def parse_document(schema: GraphQLSchema, query: str) -> ParsedDocument:
    """``query`` parsed and validated against ``schema`` (errors kept, not raised)."""
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        # Hasura's message does not say where the syntax error is.
        log.debug("unparsable GraphQL query: %s", exc.message)
        return ParsedDocument(None, GraphQLFieldError(
            "not a valid graphql query", "validation-failed", "$.query"), [], {}, {})
    errors = validate(schema, document, RULES)
    ops: dict[str | None, OperationDefinitionNode] = {}
    frags: dict[str, FragmentDefinitionNode] = {}
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode):
            ops[d.name.value if d.name else None] = d
        elif isinstance(d, FragmentDefinitionNode):
            frags[d.name.value] = d
    return ParsedDocument(document, None, list(errors), ops, frags)


def find_operation(doc: ParsedDocument, name: Any) -> OperationDefinitionNode:
    """The operation ``name`` (the request's ``operationName``) of ``doc``.

    Raises:
        GraphQLFieldError: no such operation, or none named among several.
    """
    if name is not None:
        op = doc.operations.get(str(name))
        if op is None:
            shown = orjson.dumps(name).decode()
            raise validation(f"no such operation found in the document: {shown}")
        return op
    if len(doc.operations) != 1:
        raise validation("exactly one operation has to be present in the document when "
                         "operationName is not specified")
    return next(iter(doc.operations.values()))


__all__ = ["find_operation", "parse_document"]
