"""Reports turned into output. No I/O: what must be asked is asked by the caller.

- `render`: the JSON contract, JSON lines and the `extract` table;
- `formats`: terminal text, Markdown, SARIF and annotated copies of the checked text;
- `suggest`: suggested fixes for flagged findings (`--suggest`); the archived copy of a
  dead link comes from the function the caller gives (`resolve.wayback.archived_copy`).
"""
