"""Event trigger delivery throughput: rows committed to webhook calls received."""
