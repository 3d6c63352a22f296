"""Text handling for any language and script, shared by ingest, index and qa.

- language: which language a text is in (ISO 639-1), and its English name.
- tokens: folding, word tokens of any script, BM25/overlap terms, character n-grams.
- numbers: figures written with the digits of any script, in canonical ASCII form.
- sentences: sentence spans with exact offsets (Latin, CJK, Arabic, Devanagari punctuation).
- markup: the words a reader sees (link targets, URLs, emphasis dropped).
"""
