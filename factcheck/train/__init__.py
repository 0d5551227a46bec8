"""Scripts that build the models shipped in `factcheck/models/` (run by hand, not at run time)."""
