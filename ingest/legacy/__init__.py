"""The original implementation's database as one more source of the log (docs/MIGRATING.md)."""
