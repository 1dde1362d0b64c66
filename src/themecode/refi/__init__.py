"""REFI-QDA exchange: `.qdpx`/`.qdc` export (`exporter`) and import (`importer`, which reads the
code tree with `codetree`, sources, cases and codings with `sources`, shares `package` and maps
source offsets with `textmap`); `common` and `schema` serve both ways. May import the core and
`redact`; never `tui` or `cli`.
"""
