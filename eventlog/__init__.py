"""The append-only event log in PostgreSQL, shared by ingest, relay, projector and API.

``store`` appends observations and reads by position; ``fetches`` records provider calls;
``relay`` publishes the log on JetStream; ``bus`` sets up the stream.
"""
