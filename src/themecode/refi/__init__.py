"""REFI-QDA exchange: `.qdpx`/`.qdc` export (`exporter`) and import (`importer`). May import the
core and `redact`; never `tui` or `cli`.
"""
