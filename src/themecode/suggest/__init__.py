"""Code suggestions: features and training data, the swappable model, codebook rules, the
`Suggester` (fit/predict), evaluation and its baselines, autocode of the unsampled corpus. May
import the core (`store`, `corpus`, `codebook`, `errors`); never `tui` or `cli`.
"""
