"""Webhooks (filled below)."""
