"""Report formats for `factcheck check`: the terminal report, Markdown, SARIF 2.1.0 for code
scanning, and the checked text annotated in place (JSON and JSON lines live in `render`).

This package's own namespace stays free of imports so that the CLI can name the formats
without loading rich: each format is a module, imported when it is used, and `output.py`
holds the one table of formats and their writers (`WRITERS`, `FORMATS`).
"""
