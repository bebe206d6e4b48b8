"""What a query may ask of the engine, and the named queries of ``queries/*.rq`` with their typed
parameters."""
