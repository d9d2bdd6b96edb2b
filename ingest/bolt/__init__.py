"""Bolt Fleet Integration: the client (envelope, windows, pages) and the pollers."""
