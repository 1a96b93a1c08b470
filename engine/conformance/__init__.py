"""Runs Hasura's request/response conformance cases against an engine over HTTP."""
