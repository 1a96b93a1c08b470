"""Benchmarks (not tests): the GraphQL read path against its floor and PostGraphile."""
