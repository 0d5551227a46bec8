"""An example factcheck source: DOIs looked up in a JSON API of its own.

`GET {url}/{collection}/{doi}` answers 200 with `{"doi": ..., "title": ..., "year": ...}`,
or 404 when the collection holds no such DOI. The API wants a key (`Authorization: Bearer`)
and allows 4 requests a second, one at a time. Its URL, key and collection are settings:
`[tool.factcheck.plugins.example]`, `FACTCHECK_EXAMPLE_URL`, `FACTCHECK_EXAMPLE_KEY`.
"""

from __future__ import annotations

from http import HTTPStatus

from factcheck.ids import normalize_doi, path_segment
from factcheck.lookup import Lookup
from factcheck.model import Citation, Fields, Kind, Record
from factcheck.net.limits import Limit
from factcheck.resolve.base import parse_json
from factcheck.resolve.common import ApiResolver, claimed_id, require_same_doi
from factcheck.resolve.settings import SourceSettings


class ExampleSettings(SourceSettings):
    """The settings every source has (url, key, rate, concurrency), and one of its own."""

    collection: str = "papers"


class ExampleResolver(ApiResolver):
    """Looks DOIs up in the example API."""

    name = "example"
    kinds = frozenset({Kind.DOI})
    default_url = "https://api.example.org/v1"
    limit = Limit(rate=4.0, concurrency=1)
    settings_model = ExampleSettings

    def _lookup(self, citation: Citation) -> Lookup:
        settings = self.settings
        assert isinstance(settings, ExampleSettings)
        doi = normalize_doi(claimed_id(citation, "doi"))
        key = settings.key.get_secret_value() if settings.key else ""
        response = self._get(
            f"{settings.url}/{settings.collection}/{path_segment(doi)}",
            headers={"Authorization": f"Bearer {key}"},
        )
        if response.status_code == HTTPStatus.NOT_FOUND:
            return Lookup.missing(self.name, f"the example API holds no {doi}", authoritative=False)
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        work = parse_json(response, self.name)
        require_same_doi(doi, work.get("doi"), self.name)
        fields = Fields(title=work.get("title"), year=work.get("year"), doi=work["doi"])
        return Lookup.found(self.name, Record(source=self.name, id=doi, fields=fields))
