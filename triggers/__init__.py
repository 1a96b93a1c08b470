"""The trigger service: HTTP handlers the engine's event and cron triggers call."""
