"""The trigger service on AWS Lambda behind API Gateway (``triggers.lambda_handler.handler``)."""

from __future__ import annotations

from mangum import Mangum

from triggers.app import app

handler = Mangum(app, lifespan="auto")
