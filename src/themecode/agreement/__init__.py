"""Inter-coder agreement: the coefficients as pure functions (`coefficients`), the unit data built
from a project (`data`) and consensus review (`consensus`). May import the core; never `tui` or
`cli`.
"""
