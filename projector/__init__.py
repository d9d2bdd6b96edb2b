"""Projector: consumes the log (via JetStream, Postgres as authority) into read tables."""
