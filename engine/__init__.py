"""A Hasura-compatible GraphQL engine over PostgreSQL, for running the backend on one machine."""
