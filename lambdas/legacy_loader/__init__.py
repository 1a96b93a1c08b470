"""Loader: MSK records of topic ``legacy-user-hashes`` → DynamoDB ``StandaloneUserHashes``."""
