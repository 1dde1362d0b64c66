"""Widgets of the coding app."""
