"""One self-contained HTML page of the graph; its template, styles, code and vendored vis-network are
files in ``page/``."""
