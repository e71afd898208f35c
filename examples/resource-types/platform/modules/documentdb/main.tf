# Amazon DocumentDB (MongoDB-compatible) for one service: TLS required,
# encrypted with the service's key, audit and profiler logs exported, backups
# kept, the master password managed by Secrets Manager (never in state), and
# reachable only through the security group paved created for it.

locals {
  # <service>-<stg|prd>-<name>: DocumentDB identifiers are at most 63 lowercase letters, digits and "-".
  identifier = "${var.service}-${var.environment == "production" ? "prd" : "stg"}-${var.name}"
  instance_class = {
    small  = "db.t4g.medium"
    medium = "db.r6g.large"
  }
  production = var.environment == "production"
}

resource "aws_docdb_subnet_group" "this" {
  name        = local.identifier
  description = "Private subnets of the DocumentDB cluster ${local.identifier}"
  subnet_ids  = var.subnet_ids
  tags        = var.tags
}

resource "aws_docdb_cluster_parameter_group" "this" {
  name        = local.identifier
  family      = "docdb5.0"
  description = "TLS required and audit logs on for ${local.identifier}"
  tags        = var.tags

  parameter {
    name  = "tls"
    value = "enabled"
  }

  parameter {
    name  = "audit_logs"
    value = "enabled"
  }
}

resource "aws_docdb_cluster" "this" {
  cluster_identifier              = local.identifier
  engine                          = "docdb"
  engine_version                  = "5.0.0"
  master_username                 = "paved"
  manage_master_user_password     = true
  db_subnet_group_name            = aws_docdb_subnet_group.this.name
  db_cluster_parameter_group_name = aws_docdb_cluster_parameter_group.this.name
  vpc_security_group_ids          = var.security_group_ids
  storage_encrypted               = true
  kms_key_id                      = var.kms_key_arn
  backup_retention_period         = local.production ? 35 : 7
  preferred_backup_window         = "02:00-03:00"
  enabled_cloudwatch_logs_exports = ["audit", "profiler"]
  deletion_protection             = local.production
  skip_final_snapshot             = false
  final_snapshot_identifier       = "${local.identifier}-final"
  tags                            = var.tags

  # The data lives here: a plan that would destroy the cluster fails (paved cannot set this from outside a module).
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_docdb_cluster_instance" "this" {
  count                      = var.instances
  identifier                 = "${local.identifier}-${count.index}"
  cluster_identifier         = aws_docdb_cluster.this.id
  instance_class             = local.instance_class[var.size]
  auto_minor_version_upgrade = true
  tags                       = var.tags
}
