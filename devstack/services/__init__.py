"""One module per local server: how to start it, where it answers, whether it is healthy."""
