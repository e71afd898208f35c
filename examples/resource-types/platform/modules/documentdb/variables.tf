# The interface paved passes to every platform resource type module
# (docs/resource-types.md), then this type's own inputs.

variable "name" {
  description = "The resource's name in the service.yaml (resources.documentdb[].name), as deployed."
  type        = string
}

variable "service" {
  description = "The service that requests the resource."
  type        = string
}

variable "environment" {
  description = "staging or production."
  type        = string
}

variable "kms_key_arn" {
  description = "The service's customer-managed KMS key: encrypt everything with it."
  type        = string
}

variable "subnet_ids" {
  description = "The platform's private subnets, one per availability zone."
  type        = list(string)
}

variable "security_group_ids" {
  description = "The security group paved created for this resource: it admits only the cluster's pods, on the type's egressPorts."
  type        = list(string)
}

variable "tags" {
  description = "Tags paved sets (managed-by, service, environment, resource-type, resource)."
  type        = map(string)
}

# Inputs of the type (platform.yaml resourceTypes.documentdb.inputs), defaults applied by paved.

variable "size" {
  description = "Size class: small or medium."
  type        = string
  validation {
    condition     = contains(["small", "medium"], var.size)
    error_message = "size must be small or medium."
  }
}

variable "instances" {
  description = "Instances in the cluster, 1 to 3."
  type        = number
  validation {
    condition     = var.instances >= 1 && var.instances <= 3
    error_message = "instances must be between 1 and 3."
  }
}
