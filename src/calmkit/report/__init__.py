"""The psychologist's report: figures built from the records, and their formats."""
