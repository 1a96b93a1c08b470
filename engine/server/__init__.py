"""The engine's HTTP side: the Starlette app, its routes, the lifecycle of background services."""
