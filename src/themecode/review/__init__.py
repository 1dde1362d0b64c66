"""Reviewing and refining the coding: every extract of a code or theme, paged (`extracts`), codebook
edits as undoable, versioned events (`edits`), theme development figures (`themes`) and the memo
listing (`memos`). A feature package: imports `store`, `codebook` and `agreement`, never the UI.
"""
