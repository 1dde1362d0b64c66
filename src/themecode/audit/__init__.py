"""The audit of the unsampled commentaries: did the sample miss a theme? `novelty` scores how
unlike the coded sample a sentence is (pure), `ranking` ranks the commentaries outside the sample
from the project's cached lemmas, `decisions` records the researcher's coded / dismissed
decisions and states what the audit lets a lead say. May import the core (`store`, `codebook`,
`errors`) and `redact` (personal details are not themes); never `tui` or `cli`.
"""
