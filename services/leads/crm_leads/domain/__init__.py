"""The rules of leads and clients, in plain Python: no I/O, no frameworks."""
