"""The query API: read tables to the authenticated frontend, raw history to auditors."""
