"""Reports turned into output. No I/O but the suggestion of archived copies.

- `render`: the JSON contract, JSON lines and the `extract` table;
- `formats`: terminal text, Markdown, SARIF and annotated copies of the checked text;
- `suggest`: suggested fixes for flagged findings (`--suggest`).
"""
