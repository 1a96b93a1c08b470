"""moto_server, the local stand-in for Secrets Manager, DynamoDB, SQS, S3 and friends.

One process serves every AWS service moto emulates; clients reach it with
``endpoint_url`` (or ``AWS_ENDPOINT_URL``) and any credentials. It keeps state in memory
only, so the resources the stack needs are created again on every ``up``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import boto3

from devstack.services.http import HttpService, python_module_argv
from devstack.settings import StackSettings

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
"""moto accepts any credentials; fixed ones keep boto3 from looking for real ones."""

ADMIN_SECRET_NAME = "devstack/hasura-admin-secret"  # noqa: S105 - a name, not a secret
LEGACY_HASHES_TABLE = "StandaloneUserHashes"
LEGACY_LOADER_DLQ = "legacy-loader-dlq"


@dataclass(frozen=True)
class LocalAwsResources:
    """What :func:`create_resources` made (moto forgets it all when it stops)."""

    admin_secret_arn: str
    legacy_hashes_table: str
    loader_dlq_url: str
    """Malformed legacy records and failed loader batches (the MSK mapping's destination)."""


def client(service: str, endpoint_url: str, region: str) -> Any:
    """A boto3 client for ``service`` on the local moto server."""
    return boto3.client(
        service, endpoint_url=endpoint_url, region_name=region,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def create_resources(endpoint_url: str, region: str, admin_secret: str) -> LocalAwsResources:
    """Create (or update) the admin secret, ``StandaloneUserHashes`` and the loader's DLQ."""
    with contextlib.closing(client("secretsmanager", endpoint_url, region)) as secrets:
        try:
            arn = secrets.create_secret(Name=ADMIN_SECRET_NAME, SecretString=admin_secret)["ARN"]
        except secrets.exceptions.ResourceExistsException:
            arn = secrets.put_secret_value(SecretId=ADMIN_SECRET_NAME,
                                           SecretString=admin_secret)["ARN"]
    with contextlib.closing(client("dynamodb", endpoint_url, region)) as dynamodb, \
            contextlib.suppress(dynamodb.exceptions.ResourceInUseException):
        dynamodb.create_table(
            TableName=LEGACY_HASHES_TABLE,
            KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    with contextlib.closing(client("sqs", endpoint_url, region)) as sqs:
        dlq_url = sqs.create_queue(QueueName=LEGACY_LOADER_DLQ)["QueueUrl"]
    return LocalAwsResources(str(arn), LEGACY_HASHES_TABLE, str(dlq_url))


class MotoService(HttpService):
    """``python -m moto.server`` on loopback."""

    def __init__(self, settings: StackSettings) -> None:
        super().__init__(
            settings, "moto", settings.moto_port,
            python_module_argv("moto.server", "-H", "127.0.0.1", "-p", str(settings.moto_port)),
            description="Secrets Manager, DynamoDB, SQS, S3 (moto)",
            health_path="/moto-api/data.json",
            env=LOCAL_CREDENTIALS,
        )

    def aws_environment(self) -> dict[str, str]:
        """Environment variables that point boto3 at this server."""
        return {
            "AWS_ENDPOINT_URL": self.url(),
            "AWS_REGION": self.settings.aws_region,
            "AWS_DEFAULT_REGION": self.settings.aws_region,
            **LOCAL_CREDENTIALS,
        }
