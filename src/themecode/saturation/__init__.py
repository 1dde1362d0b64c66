"""Saturation statistics: pure functions over a coding-order incidence matrix (curves, stopping
rules, richness estimators, the verdict), the reader that builds that matrix from a project
(`data`) and the plots. May import `store`, `codebook`, `errors`; never `tui` or `cli`.
"""
