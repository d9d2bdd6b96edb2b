"""The ``fleet`` command: settings, the embedded runtime, and the process supervisor."""
