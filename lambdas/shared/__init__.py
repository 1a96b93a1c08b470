"""What several Lambda functions share: settings, the GraphQL client, the logger."""
