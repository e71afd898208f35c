# The outputs platform.yaml names under resourceTypes.documentdb.connection reach
# the app as DOCUMENTDB_<NAME>_HOST, _PORT and _USERNAME.

output "host" {
  description = "The cluster endpoint (writer)."
  value       = aws_docdb_cluster.this.endpoint
}

output "port" {
  description = "The port the cluster listens on, 27017."
  value       = tostring(aws_docdb_cluster.this.port)
}

output "username" {
  description = "The master user; its password lives in the Secrets Manager secret DocumentDB manages."
  value       = aws_docdb_cluster.this.master_username
}
