"""Fixes: what the correction of a finding is, and the text edits that apply it.

- `decide`: the one decision `--suggest`, SARIF, the guard's `fix` and `factcheck fix` apply;
- `rewrite`, `refstyle`, `namestyle`: a corrected entry written in its own style;
- `cuts`: cutting a reference out of a text so that what is left still reads;
- `edits`: text edits and the one way they are applied;
- `text`: `factcheck.fix_text`, a checked text corrected (what `factcheck fix` runs).
"""
