"""The SQS → Lambda event source mapping, emulated for the local stack (moto runs none)."""
