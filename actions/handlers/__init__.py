"""One module per action: its input model and its handler."""
