"""The credit-history service: a GraphQL server (strawberry) over Parquet in S3.

In production it reads Athena (boto3); locally DuckDB reads the same Parquet files with
the same SQL text. The engine joins it to ``profiles`` on ``national_id`` (a remote schema
plus a remote relationship).
"""
