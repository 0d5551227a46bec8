"""The sources: one resolver per source turns a claim into a `Lookup` (`base`), never deciding
a verdict; `results` keeps their answers between runs."""
