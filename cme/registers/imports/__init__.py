"""Importing establishments and pupils-on-roll files (CSV).

upload (csvfile: size, encoding, header, row count) → validate every row in the background
(checks) → preview what would change (plans) → confirm → apply in one transaction (apply), raising
alerts on open cases (alerts). `runner` does the background work; `services` the writes a person
asks for; `selectors` the reads.
"""
