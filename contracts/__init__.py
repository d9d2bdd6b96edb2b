"""Event and payload contracts: frozen msgspec Structs, versioned in the catalog. No I/O here.

A provider record is stored as the provider's raw bytes, not as a tagged Struct: its type and
version are the ``event_type`` and ``schema_version`` columns of ``event_log`` (and fields of
:class:`~contracts.envelope.EventEnvelope`), never part of the bytes. The catalog
(``contracts/catalog.py``) maps each ``(event_type, schema_version)`` to the Struct that
decodes it; upcasters (``contracts/upcasting.py``) bring an old version's record up to the
newest on read. Only the commands on NATS carry a msgspec tag (``sync.requested.v1``).

Rules of evolution (see ``contracts/README.md``): a new field gets a default; a field's type
never changes; a breaking change is a new version with an upcaster from the old one.
"""
