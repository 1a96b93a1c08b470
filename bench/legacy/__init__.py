"""Benchmark of the legacy pipe: legacy database → producer → broker → mapping → DynamoDB."""
