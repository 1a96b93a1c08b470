variable "region" {
  description = "AWS region of the example."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of the example's resource names."
  type        = string
  default     = "zip-example"
}

variable "zip_file" {
  description = "Path of a zip holding the lambdas/ package and its dependencies."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the function."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups for the function."
  type        = list(string)
}
