"""Load generators and measurement: wrk for closed loops, Python for open loops and SQL."""
