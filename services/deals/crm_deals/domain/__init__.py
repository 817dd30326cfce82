"""Deal rules in plain Python: field types, stage gates, automation. No I/O, no frameworks."""
