"""``medkg extract``: a draft annotation file from an article's text, by rules over a dictionary of names.

Needs the ``nlp`` extra (spaCy, pysbd) and the vocabularies of the ``vocab`` extra; no model is fetched.
"""
