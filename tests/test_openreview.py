"""`OpenReviewResolver` against `responses` mocks with hand-made answers in API v2's
documented shape (and v1's bare values): how a note maps to Fields, a rejected submission
never passing for a published paper, what is asked, which hit is accepted, when a miss is
evidence (ICLR and COLM from 2024), the optional token, and that trouble is FAILED."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from fakes.recordings import HANDMADE
from fakes.server import FakeApi, answer

from factcheck import Checker
from factcheck.config import DEFAULT_SOURCES, Config
from factcheck.model import Author, Citation, Fields, Kind, Status
from factcheck.net.http import Http
from factcheck.resolve.base import Outcome
from factcheck.resolve.openreview import (
    LIMIT,
    SEARCH_LIMIT,
    OpenReviewResolver,
    covers,
    csl_type,
    note_hit,
    note_record,
)
from factcheck.resolve.plugins import load
from factcheck.resolve.settings import limit_of

OPENREVIEW = "https://openreview.test"
SEARCH = f"{OPENREVIEW}/notes/search"
TITLE = "Vision transformers need registers"
CLAIM = Fields(
    title=TITLE,
    authors=[
        Author(family="Darcet", given="T."),
        Author(family="Oquab", given="M."),
        Author(family="Mairal", given="J."),
        Author(family="Bojanowski", given="P."),
    ],
    year=2024,
    container="International Conference on Learning Representations",
    type="paper-conference",
)
RAW = (
    "Darcet, T., Oquab, M., Mairal, J., & Bojanowski, P. (2024). Vision transformers need "
    "registers. In International Conference on Learning Representations."
)


def handmade(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((HANDMADE / "openreview" / name).read_bytes())
    return body


def notes() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = handmade("search-registers.json")["notes"]
    return found


def config(**settings: Any) -> Config:
    plugins = {"openreview": {"url": OPENREVIEW, **settings}}
    return Config.load(env={}, cache="none", retries=0, plugins=plugins)


@pytest.fixture
def resolver() -> Iterator[OpenReviewResolver]:
    with Http(config()) as http:
        yield OpenReviewResolver(http, config())


def cite(raw: str = RAW, fields: Fields = CLAIM) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


# ------------------------------------------------------------------------------ mapping


def test_an_accepted_paper_maps_to_fields() -> None:
    record = note_record(notes()[0])
    fields = record.fields
    assert fields.title == "Vision Transformers Need Registers"
    assert fields.authors[0] == Author(family="Darcet", given="Timothée")
    assert len(fields.authors) == 4
    assert (fields.year, fields.container, fields.type) == (
        2024,
        "ICLR 2024 oral",
        "paper-conference",
    )
    assert record.id == "RgSTR00001"
    assert record.url == fields.url == "https://openreview.net/forum?id=RgSTR00001"
    assert note_hit(notes()[0]).venue_aliases == ["ICLR"]


def test_a_rejected_submission_keeps_where_it_stands() -> None:
    fields = note_record(notes()[1]).fields
    assert (fields.container, fields.type) == ("Submitted to ICLR 2024", "manuscript")
    assert note_hit(notes()[1]).venue_aliases == []  # never "ICLR"


def test_a_v1_note_holds_bare_values() -> None:
    note = {
        "id": "v1note",
        "forum": "v1note",
        "cdate": 1506000000000,  # 2017-09-21
        "content": {"title": "An Old Paper", "authors": ["Ada Lovelace"], "venue": None},
    }
    fields = note_record(note).fields
    assert (fields.title, fields.authors, fields.year) == (
        "An Old Paper",
        [Author(family="Lovelace", given="Ada")],
        2017,
    )


@pytest.mark.parametrize(
    ("venueid", "expected"),
    [
        ("ICLR.cc/2024/Conference", "paper-conference"),
        ("ICLR.cc/2024/Conference/Rejected_Submission", "manuscript"),
        ("ICLR.cc/2024/Conference/Withdrawn_Submission", "manuscript"),
        ("ICLR.cc/2025/Conference/Submission", "manuscript"),
        ("NeurIPS.cc/2023/Workshop/SSL", "paper-conference"),
        ("TMLR", None),
        (None, None),
    ],
)
def test_csl_types(venueid: str | None, expected: str | None) -> None:
    assert csl_type(venueid) == expected


# ------------------------------------------------------------------------------ search


def test_one_request_for_submissions_by_title_words(
    resolver: OpenReviewResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-registers.json"))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FOUND
    assert [r.id for r in lookup.records] == ["RgSTR00001"]
    [call] = mocked.calls
    assert parse_qs(urlparse(call.request.url).query) == {
        "term": [TITLE],
        "source": ["forum"],
        "limit": [str(SEARCH_LIMIT)],
    }
    assert "Authorization" not in call.request.headers


def test_a_token_is_sent_when_configured(mocked: responses.RequestsMock) -> None:
    mocked.get(SEARCH, json=handmade("search-registers.json"))
    settings = config(key="or-token")
    with Http(settings) as http:
        OpenReviewResolver(http, settings).lookup(cite())
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer or-token"


def test_the_token_is_not_stored_in_the_cache(
    mocked: responses.RequestsMock, tmp_path: Path
) -> None:
    mocked.get(SEARCH, json=handmade("search-registers.json"))
    settings = config(key="or-token-in-cache").model_copy(
        update={"cache": str(tmp_path / "http.sqlite")}
    )
    with Http(settings) as http:
        assert OpenReviewResolver(http, settings).lookup(cite()).outcome is Outcome.FOUND
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"or-token-in-cache" not in stored


def test_a_rejected_submission_is_no_iclr_paper(
    resolver: OpenReviewResolver, mocked: responses.RequestsMock
) -> None:
    """Cited as an ICLR 2024 paper, the rejected submission is found with the venue it really
    has, so that the judge reports the venue instead of confirming it."""
    rejected = notes()[1]
    mocked.get(SEARCH, json={"notes": [rejected], "count": 1})
    claim = Fields(
        title="Registers for vision transformers, revisited: a placeholder submission",
        authors=[Author(family="Placeholder", given="A."), Author(family="Example", given="S.")],
        year=2024,
        container="ICLR",
        type="paper-conference",
    )
    lookup = resolver.lookup(cite("Placeholder, A. … ICLR 2024.", claim))
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].fields.container == "Submitted to ICLR 2024"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("entry", "status"),
    [
        (RAW, Status.VERIFIED),
        (
            "Placeholder, A., & Example, S. (2024). Registers for vision transformers, revisited: "
            "a placeholder submission. In International Conference on Learning Representations.",
            Status.MISMATCH,
        ),
    ],
)
def test_an_iclr_paper_is_verified_and_a_rejected_submission_cited_as_one_is_not(
    fake_api: FakeApi, entry: str, status: Status
) -> None:
    fake_api.reset()
    fake_api.inject_always(
        "/openreview/notes/search",
        answer((HANDMADE / "openreview" / "search-registers.json").read_bytes()),
    )
    with Checker(
        fake_api.config(sources=("openreview",), plugins={"openreview": {"rate": 100}})
    ) as checker:
        [finding] = checker.check(f"## References\n\n1. {entry}\n").items
    assert finding.verdict.status is status, finding.verdict
    assert finding.verdict.source == "openreview"


def test_no_notes_is_a_miss_authoritative_only_where_it_covers(
    resolver: OpenReviewResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-empty.json"))
    assert resolver.lookup(cite()).authoritative is True
    neurips = CLAIM.model_copy(update={"container": "NeurIPS"})
    lookup = resolver.lookup(cite(fields=neurips))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (CLAIM, True),
        (CLAIM.model_copy(update={"container": "ICLR"}), True),
        (CLAIM.model_copy(update={"container": "Proc. ICLR 2025"}), True),
        (CLAIM.model_copy(update={"container": "COLM", "year": 2024}), True),
        (CLAIM.model_copy(update={"year": 2019}), False),  # before API v2 held ICLR
        (CLAIM.model_copy(update={"container": "ICML"}), False),
        (CLAIM.model_copy(update={"container": None}), False),
        (CLAIM.model_copy(update={"year": None}), False),
    ],
)
def test_covers(fields: Fields, expected: bool) -> None:
    assert covers(fields) is expected


@pytest.mark.parametrize("body", [{"count": 0}, {"notes": {}}, [], {"notes": None}])
def test_an_answer_without_notes_is_failed(
    resolver: OpenReviewResolver, mocked: responses.RequestsMock, body: Any
) -> None:
    mocked.get(SEARCH, json=body)
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FAILED
    assert lookup.reason == "openreview answered HTTP 200 without a list of hits"


def test_a_note_of_the_wrong_shape_is_failed(
    resolver: OpenReviewResolver, mocked: responses.RequestsMock
) -> None:
    note = {**notes()[0], "content": {"title": {"value": ["not", "a", "title"]}}}
    mocked.get(SEARCH, json={"notes": [note], "count": 1})
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FAILED
    assert "content has the wrong type" in lookup.reason


def test_registered_off_by_default_with_the_guests_pace() -> None:
    (cls,) = load(["openreview"])
    assert cls is OpenReviewResolver
    assert "openreview" not in DEFAULT_SOURCES
    assert cls.kinds == frozenset({Kind.REFERENCE})
    assert limit_of(cls, Config()) == LIMIT
    assert LIMIT.rate * 60 <= 20  # guests: about 20 requests a minute
