"""What inspect_ai loads through factcheck's `inspect_ai` entry point.

inspect_ai resolves a name such as `factcheck/references` by loading the entry point named
after its package prefix; importing this module registers the scorer and its metrics.
"""

from .inspect_ai import dead_url_rate, fabricated_rate, miscited_rate, references

__all__ = ["dead_url_rate", "fabricated_rate", "miscited_rate", "references"]
