"""Hasura's Chinook benchmark: the engine, its SQL floor and PostGraphile v5, side by side."""
