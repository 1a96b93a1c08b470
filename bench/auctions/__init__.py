"""The live-auction load test: concurrent bidders through the engine's placeBid."""
