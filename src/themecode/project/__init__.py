"""Making and filling a project: `create` (init in one step), the bundled `demo`, where bundled
`resources` live, and codings import/export (`codings`). May import the core; never `tui` or
`cli`.
"""
