"""The judge: claimed fields against what the sources answered, to a verdict. No I/O.

- `verdicts`: the verdict rules, with their confidences;
- `memo`: verdicts remembered per identical claim and identical answers.

Field-by-field comparison, which the sources' acceptance of a candidate shares, is in
`factcheck.compare`.
"""
