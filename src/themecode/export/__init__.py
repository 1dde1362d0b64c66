"""Exports of themed extracts: `model` (the records every writer uses), `collect` (reading and
cutting extracts), `redaction` (redaction for exports and its side report), one module per
format (`text`, `tables`, `xlsx`, `docx`) and `extracts` (the entry point that picks a writer).
May import the core, `redact`, `suggest`, `review` and `report.methods` (the DOCX chapter's
methods paragraph); never `tui` or `cli`.
"""
