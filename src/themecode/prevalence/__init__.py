"""Prevalence of codes and themes in the coded sample: finite-population-corrected intervals,
overall and by case characteristic (`estimates`), the characteristics tables with a forced-entry
logistic regression and multiple-testing adjustment (`tables`), and the shared reading of case
metadata and coders (`levels`). May import `store`, `codebook`, `errors`; never `tui` or `cli`.
"""
