"""The sample and what it estimates: drawing a reproducible random or stratified sample and
extending it (`draw`), prevalence of codes and themes with finite-population-corrected intervals
overall and by case characteristic (`estimates`), the characteristics tables with a forced-entry
logistic regression and multiple-testing adjustment (`tables`, `regression`), and the shared
reading of case metadata and coders (`levels`). May import the core and `saturation`; never
`tui` or `cli`.
"""
