"""Every flag a verdict or a lookup may carry, in one place.

A flag is a short, stable string in `Verdict.flags` (and `Lookup.flags`, `Record.flags`) that
says *why* a verdict is what it is, for programs that read the JSON contract. Each is
explained on the Verdicts page of the docs (tests/test_docs.py fails on one that is not). The
modules that set or read a flag import it from here, so no flag is spelt twice.
"""

from __future__ import annotations

# --- what a source holds about the work ------------------------------------------------------
# The work was retracted (withdrawn, removed): Crossref's `updated-by`, PubMed's publication
# types, OpenAlex's `is_retracted`, Europe PMC's "Retracted Publication".
RETRACTED = "retracted"
PARTIALLY_RETRACTED = "partially_retracted"
EXPRESSION_OF_CONCERN = "expression_of_concern"
# The record is itself a retraction notice (its `update-to` points at a retracted work).
RETRACTION_NOTICE = "retraction_notice"
# The identifier is registered, but its metadata could not be fetched (doi.org knew the DOI,
# content negotiation failed): it proves existence and nothing the text says about the work,
# and it is not kept in the results cache (`results.storable`), so the next run asks again.
METADATA_UNAVAILABLE = "metadata_unavailable"
# The arXiv id exists, but not in the version cited.
VERSION_NOT_FOUND = "version_not_found"

# --- what the judge found ------------------------------------------------------------------------
# A verified entry that differs from its record in ways that leave the work unmistakable
# (its diffs, each with severity "note"): a page one off, the preprint cited, a misspelt name.
NOTED = "noted"
# An entry's identifier belongs to another work than the one the entry describes; with
# CITED_WORK_NOT_FOUND, every source searched for the work described and none holds it.
WRONG_IDENTIFIER = "wrong_identifier"
CITED_WORK_NOT_FOUND = "cited_work_not_found"
# A not_found that rests on searches: every index asked answered and none holds the work.
NOT_INDEXED = "not_indexed"
# No configured source covers this kind of work, so a miss proves nothing.
COVERAGE_INCOMPLETE = "coverage_incomplete"
# Signs of invention that need no source: a year still to come, placeholder author names.
FUTURE_DATE = "future_date"
PLACEHOLDER_AUTHORS = "placeholder_authors"
# A bibliography entry no in-text citation points to, and an in-text citation with no entry.
UNCITED = "uncited"
NO_ENTRY = "no_entry"
# An entry of a reference list that could not be read (no title and no identifier):
# reported as unverifiable, never dropped, and counted in the Summary.
UNPARSED = "unparsed"

# --- web pages -----------------------------------------------------------------------------------
# The page answered 200, but it is the site's "page not found" page.
SOFT_404 = "soft_404"
# The link answered through a redirect.
REDIRECTED = "redirected"

# --- limits and trouble: each leaves the claim unverifiable ---------------------------------
# The check's deadline (`Config.deadline`) passed before the sources answered this claim.
DEADLINE = "deadline"
# The item is the part of the text that was not read (the deadline, or more claims than
# `max_references`): it names no claim of its own, and what it holds went unchecked.
UNREAD = "unread"
# The source answered with the record of another identifier than the one asked about
# (another DOI, arXiv id or PMID). That record is no evidence about the claim.
WRONG_RECORD = "wrong_record"
# Checking the claim raised an error inside factcheck (a bug, or input that some library
# cannot take). Only this claim is affected.
INTERNAL_ERROR = "internal_error"
# DNS does not work where factcheck runs: no name could be looked up, so a host that was not
# found proves nothing.
DNS_UNAVAILABLE = "dns_unavailable"
# The guard could not check the answer (an error inside factcheck); the call itself
# succeeded. No policy may cut or rewrite text for such a claim.
CHECK_FAILED = "check_failed"
