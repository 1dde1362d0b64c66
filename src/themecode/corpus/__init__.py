"""What comes in: importing commentaries from CSV/XLSX/JSONL into documents and sentences with
validation (`importer`) and the lazily built spaCy pipeline that splits and lemmatises them
(`nlp`). Core: imports only `store` and `errors`; every feature package may import it.
"""
