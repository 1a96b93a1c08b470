"""The action service on AWS Lambda behind API Gateway (``actions.lambda_handler.handler``)."""

from __future__ import annotations

from mangum import Mangum

from actions.app import app

handler = Mangum(app, lifespan="auto")
