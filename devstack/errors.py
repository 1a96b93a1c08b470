"""Errors the local stack reports to its user as one clear line, never a traceback."""


class StackError(Exception):
    """A problem the user can act on (a port in use, a stack already running, ...)."""
