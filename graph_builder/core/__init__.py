"""The base every layer stands on: errors, IRI bases, where data files live, the claims as values,
the controlled vocabulary, the one name-to-IRI rule and query results as a value."""
