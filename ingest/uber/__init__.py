"""Uber Vehicle Suppliers: client and pollers."""
