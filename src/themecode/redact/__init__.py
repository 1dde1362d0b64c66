"""Personal-detail redaction: the `Redaction` record, the shared tokeniser, the word lists,
structured patterns (dates, phone numbers, postcodes, ...) and the engines (fast tokens, spaCy
Matcher). Imports only `errors` and spaCy's lookup data; every output path may import it.
"""
