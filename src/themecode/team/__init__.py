"""Team work on copies of a project: backups and restore (`backup`), handouts to coders (`handout`)
and merging their copies back (`merge`). May import the core; never `tui` or `cli`.
"""
