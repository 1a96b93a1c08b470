"""The functions' structured logger (Powertools: JSON lines, cold start, request id)."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger


def get_logger(service: str) -> Logger:
    """A logger for ``service``; ``POWERTOOLS_LOG_LEVEL`` (default INFO) sets the level."""
    return Logger(service=service, level=os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO"))
