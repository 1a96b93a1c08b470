"""The GraphQL core of the engine: schema per role, compiler to SQL, executor.

``GraphQLEngine.build(pool, metadata, options, providers)`` introspects the database and
resolves v3 metadata; ``execute(payload, session, headers)`` answers a ``/v1/graphql`` body
with the response bytes (always HTTP 200, as Hasura answers). ``prepare`` and ``run`` are the
two halves of ``execute``, for callers that run one prepared operation many times.
"""

from engine.graphql.engine import GraphQLEngine
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.options import EngineOptions
from engine.graphql.providers import FieldCall, ProvidedField, RootFieldProvider

__all__ = ["EngineOptions", "FieldCall", "GraphQLEngine", "GraphQLFieldError", "ProvidedField",
           "RootFieldProvider"]
