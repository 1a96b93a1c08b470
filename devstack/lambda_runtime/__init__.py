"""A local stand-in for the Lambda Invoke API that runs the real handlers of ``lambdas/``."""
