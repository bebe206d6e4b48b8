"""medkg's own SPARQL endpoint (``medkg serve``) and named queries on other SPARQL stores (``medkg push``)."""
