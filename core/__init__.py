"""The bottom layer: typed settings and process plumbing (logs, signals, metrics server,
the state folder's files, password hashing and roles).

Every other package may import it; it imports none of them.
"""
