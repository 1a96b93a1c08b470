"""The auction actions, dispatched by the action service like every other action."""
