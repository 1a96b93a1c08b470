"""What every service of the project does the same way: errors, settings and secrets."""
