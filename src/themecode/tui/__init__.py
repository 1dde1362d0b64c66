"""Textual coding UI of themecode (the only package that imports Textual)."""
