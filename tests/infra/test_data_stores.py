"""The data stores, read from the HCL.

The database is private, encrypted and reachable only from listed sources; Redis takes only
IAM-authenticated TLS connections.
"""

from __future__ import annotations

from typing import Any

from .conftest import MODULES_DIR, attr, labelled, load_hcl


def test_rds_is_private_encrypted_and_protected(dev: dict[str, list[Any]]) -> None:
    """GIVEN the rds module and its call WHEN read THEN private, encrypted, IAM auth, backups."""
    config = load_hcl(MODULES_DIR / "rds")
    instance = labelled(config["resource"], "aws_db_instance")["this"]
    variables = labelled(config["variable"])

    assert attr(instance, "publicly_accessible") is False
    assert attr(instance, "storage_encrypted") is True
    assert attr(instance, "iam_database_authentication_enabled") is True
    assert attr(instance, "engine") == "postgres"
    assert attr(variables["engine_version"], "default").startswith("15")
    assert attr(instance, "skip_final_snapshot") is False
    assert attr(instance, "deletion_protection") == "${var.deletion_protection}"
    assert attr(variables["deletion_protection"], "default") is True
    assert attr(instance, "backup_retention_period") == "${var.backup_retention_period}"
    assert attr(variables["backup_retention_period"], "default") >= 7
    assert attr(instance, "enabled_cloudwatch_logs_exports") == "${local.log_exports}"

    call = labelled(dev["module"])["rds"]
    assert attr(call, "subnet_ids") == "${module.network.private_subnet_ids}"
    assert attr(call, "allowed_security_group_ids") == [
        "${module.network.lambda_security_group_id}"
    ]
    assert "deletion_protection" not in call


def test_rds_accepts_connections_only_from_listed_sources() -> None:
    """GIVEN the database security group WHEN read THEN ingress is the functions' SG or CIDRs."""
    access = labelled(load_hcl(MODULES_DIR / "rds")["module"])["access"]
    resources = load_hcl(MODULES_DIR / "service_access")["resource"]
    ingress = labelled(resources, "aws_vpc_security_group_ingress_rule")

    assert attr(access, "source") == "../service_access"
    assert attr(access, "port") == "${local.port}"
    assert attr(access, "client_security_group_ids") == "${var.allowed_security_group_ids}"
    assert attr(access, "cidrs") == "${var.hasura_egress_cidrs}"
    assert "cidr_port" not in access
    assert set(ingress) == {"from_clients", "from_cidrs"}
    assert attr(ingress["from_clients"], "for_each") == (
        "${toset(var.client_security_group_ids)}"
    )
    assert attr(ingress["from_cidrs"], "for_each") == "${toset(var.cidrs)}"
    assert (attr(ingress["from_clients"], "from_port"),
            attr(ingress["from_clients"], "to_port")) == ("${var.port}",) * 2


def test_redis_takes_only_iam_authenticated_connections(
    dev: dict[str, list[Any]], functions: dict[str, dict[str, Any]],
) -> None:
    """Redis takes only IAM-authenticated connections.

    GIVEN the redis module and the services WHEN read THEN the replication group requires
    TLS and an RBAC user group whose default user is off and whose service user authenticates
    with IAM, and both services name that user and the group for their tokens.
    """
    resources = load_hcl(MODULES_DIR / "redis")["resource"]
    group = labelled(resources, "aws_elasticache_replication_group")["this"]
    users = labelled(resources, "aws_elasticache_user")

    assert attr(group, "transit_encryption_enabled") is True
    assert attr(group, "transit_encryption_mode") == "required"
    assert attr(group, "user_group_ids") == [
        "${aws_elasticache_user_group.this.user_group_id}"]
    assert attr(users["default"], "user_name") == "default"
    assert attr(users["default"], "access_string").startswith("off ")
    assert attr(attr(users["service"], "authentication_mode"), "type") == "iam"
    assert attr(users["service"], "user_id") == attr(users["service"], "user_name")
    for service in ("actions", "triggers"):
        environment = functions[service]["environment"]
        assert environment["REDIS_IAM_USER"] == "${module.redis.service_user.user_id}"
        assert environment["REDIS_REPLICATION_GROUP_ID"] == (
            "${module.redis.replication_group_id}")
