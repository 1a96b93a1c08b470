"""The ``devstack`` subcommands, one module per group."""
