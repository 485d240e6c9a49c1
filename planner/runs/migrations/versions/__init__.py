"""One module per schema revision of the run store, oldest first."""
