"""The legacy application (seed 002): its users database and the producer that moves them.

Users go legacy database → producer → Kafka topic ``legacy-user-hashes`` (MSK on AWS) →
loader Lambda → DynamoDB ``StandaloneUserHashes`` → the user-migration Lambda at login.
"""
