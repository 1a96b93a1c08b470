"""The price archive: old ``crypto_prices`` rows moved to Parquet in S3, one folder per day.

Athena reads them through the Glue table ``crypto_prices_archive`` (partition projection on
``dt``); PostgreSQL keeps only the recent rows.
"""
