"""``python -m credit_history seed`` writes the synthetic Parquet data (and uploads it)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from credit_history.seed import PEOPLE, upload, write_local


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m credit_history")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed", help="write the synthetic credit reports as Parquet")
    seed.add_argument("--data-dir", type=Path,
                      default=os.environ.get("CREDIT_HISTORY_DATA_DIR"),
                      help="local folder standing for the S3 prefix (CREDIT_HISTORY_DATA_DIR)")
    seed.add_argument("--people", type=int, default=PEOPLE)
    seed.add_argument("--bucket", default=os.environ.get("CREDIT_HISTORY_BUCKET"),
                      help="also upload to this S3 bucket (AWS_ENDPOINT_URL for moto)")
    seed.add_argument("--prefix", default="athena-data/",
                      help="the tables' prefix in the bucket (Terraform's data_prefix)")
    args = parser.parse_args(argv)
    if args.data_dir is None:
        parser.error("--data-dir or CREDIT_HISTORY_DATA_DIR is required")
    path = write_local(args.data_dir, args.people)
    print(f"wrote {path}")
    if args.bucket:
        import boto3

        s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
        for key in upload(args.data_dir, s3, args.bucket, args.prefix):
            print(f"uploaded s3://{args.bucket}/{key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
