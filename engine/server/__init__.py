"""The engine's HTTP side: the Starlette app, its routes and the lifecycle of background services."""
