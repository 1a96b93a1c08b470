"""The producer: legacy users → one JSON record each on Kafka topic ``legacy-user-hashes``."""
