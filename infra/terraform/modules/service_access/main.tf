# A private service's security group: its clients' security groups (and, where a service
# must be reached from outside, listed CIDRs) may connect on its port, and nothing else.
# The matching egress rule goes on each client group, so the clients may open connections
# to this service and to nowhere else on that port.
resource "aws_security_group" "this" {
  name        = var.name
  description = var.description
  vpc_id      = var.vpc_id

  tags = { Name = var.name }
}

resource "aws_vpc_security_group_ingress_rule" "from_clients" {
  for_each = toset(var.client_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "${var.service} from the clients' security group."
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = each.value
}

resource "aws_vpc_security_group_egress_rule" "clients_to_service" {
  for_each = toset(var.client_security_group_ids)

  security_group_id            = each.value
  description                  = "${var.service} to ${var.name}."
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.this.id
}

resource "aws_vpc_security_group_ingress_rule" "from_cidrs" {
  for_each = toset(var.cidrs)

  security_group_id = aws_security_group.this.id
  description       = "${var.service} from ${each.value}."
  ip_protocol       = "tcp"
  from_port         = coalesce(var.cidr_port, var.port)
  to_port           = coalesce(var.cidr_port, var.port)
  cidr_ipv4         = each.value
}
