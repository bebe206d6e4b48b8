"""The on-disk corpus store (streaming bulk build, add, remove) and opening whatever graph a
command is given."""
