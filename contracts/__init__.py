"""Event and payload contracts: frozen, tagged, versioned msgspec Structs. No I/O here.

Rules of evolution (see ``contracts/README.md``): a new field gets a default; a field's type
never changes; a breaking change is a new version with an upcaster from the old one.
"""
