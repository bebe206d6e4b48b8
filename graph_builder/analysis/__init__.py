"""The graph as networkx (typed node and edge data), chains with their weakest link, and rankings."""
