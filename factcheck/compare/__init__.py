"""Comparing a claim's fields with a record's, field by field. No I/O.

Used by the resolvers (is this search hit the cited work?) and by the judge (how does the
claim differ from it?), so it sits below both.

- `fields`: titles, authors, years, pages and identifiers;
- `venues`: whether two venue names name one venue (acronyms, abbreviations, subtitles);
- `software`: how software and data records differ from correct citations of them.
"""
