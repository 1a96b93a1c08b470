"""PostgreSQL introspection: what the database holds, as the GraphQL schema needs it."""

from engine.catalog.introspect import introspect
from engine.catalog.model import Catalog, Column, ForeignKey, Table

__all__ = ["Catalog", "Column", "ForeignKey", "Table", "introspect"]
