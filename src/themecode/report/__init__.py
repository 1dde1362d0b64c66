"""The lead's HTML report (`render`) and its plots (`plots`). May import the core, `saturation` and
`agreement`; never `tui` or `cli`.
"""
