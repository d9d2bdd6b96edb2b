"""Ingestion: provider clients and pollers that append what providers return to the log."""
