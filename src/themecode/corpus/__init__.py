"""What comes in: importing commentaries from CSV/XLSX/JSONL into documents and sentences with
validation (`importer`), the lazily built spaCy pipeline that splits and lemmatises them (`nlp`),
reading any user file within limits (`inputs`: sizes, zip members, nesting) and the one policy
for control characters in text (`controls`: refused, turned into line breaks, or shown visibly).
Core: imports only `store` and `errors`; every feature package may import it.
"""
