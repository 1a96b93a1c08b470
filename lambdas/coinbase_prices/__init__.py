"""The every-minute Coinbase price job: spot and ticker per tracked asset, stored via GraphQL."""
