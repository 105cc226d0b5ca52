"""Oversight tasks (filled below)."""
