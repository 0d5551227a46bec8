"""Software and data citations checked against recorded DataCite records (Zenodo, Figshare,
Dryad, Harvard Dataverse, the KNB repository), served by the fake doi.org (tests/fakes):
correct citations as people write them are `verified`, whatever the record lists as
creators (an organisation, ten people of whom the text names two), its version or its
release title; an invented creator, another year or another work beside the DOI still
disagree.

The records are commonmeta-py's recorded DataCite answers (fixtures/recordings/commonmeta,
see DATA_LICENSES.md), read into CSL-JSON as doi.org content negotiation serves it. DataCite
types software "article" in its citeproc mapping: the rules must not depend on the type
alone."""

from __future__ import annotations

import pytest
from fakes.server import FakeApi

from factcheck.checker import Checker
from factcheck.model import Kind, Status, Verdict

DATAONE = "10.5063/F1M61H5X"
FIGSHARE = "10.6084/m9.figshare.1449060"
DRYAD = "10.5061/dryad.8515"
DATAVERSE = "10.7910/DVN/NJ7XSO"
ZENODO = "10.5281/zenodo.48440"

CORRECT = {
    "software-two-of-ten-names": f"Jones, M., Slaughter, P., Boettiger, C. (2022). dataone: R"
    f" interface to the DataONE network of data repositories (Version 2.2.2). KNB Data"
    f" Repository. https://doi.org/{DATAONE}",
    "software-et-al": f"Jones, M. et al. (2022). dataone: R interface to the DataONE network"
    f" of data repositories. Version 2.2.2. doi:{DATAONE}",
    "software-by-name": f"Matthew Jones and Peter Slaughter. dataone (version 2.2.2). KNB Data"
    f" Repository, 2022. https://doi.org/{DATAONE}",
    "zenodo-release": f"Garza, K. (2016). Analysis Tools for Crossover Experiment of UI using"
    f" Choice Architecture (v1.0) [Computer software]. Zenodo. https://doi.org/{ZENODO}",
    "figshare-dataset": f"Dworkin, I., Pool, J., Pitchers, W., & Pesevski, M. (2020)."
    f" Drosophila melanogaster wing images from low and high altitude populations in Ethiopia"
    f" and Zambia [Data set]. figshare. https://doi.org/{FIGSHARE}",
    "figshare-first-author": f"Dworkin, I. et al. Drosophila melanogaster wing images from"
    f" low and high altitude populations in Ethiopia and Zambia. Figshare, 2020."
    f" doi:{FIGSHARE}",
    "dryad-data-from": f"Ollomo, B., Durand, P., Prugnolle, F., et al. (2011). Data from: A new"
    f" malaria agent in African hominids. Dryad Digital Repository. https://doi.org/{DRYAD}",
    "dataverse-consortium": "International Genetics of Ankylosing Spondylitis Consortium."
    f" (2017). Summary data ankylosing spondylitis GWAS (Version 1.0) [Data set]. Harvard"
    f" Dataverse. https://doi.org/{DATAVERSE}",
    "dataverse-acronym-team": f"IGAS Consortium. Summary data ankylosing spondylitis GWAS."
    f" Harvard Dataverse, V1, 2017. doi:{DATAVERSE}",
}
WRONG = {
    "invented-creator": f"Jones, M., Fabricated, Q., & Slaughter, P. (2022). dataone: R"
    f" interface to the DataONE network of data repositories. https://doi.org/{DATAONE}",
    "another-year": f"Dworkin, I., Pool, J., Pitchers, W., & Pesevski, M. (2009). Drosophila"
    f" melanogaster wing images from low and high altitude populations in Ethiopia and"
    f" Zambia. figshare. https://doi.org/{FIGSHARE}",
    "another-work": f"Ollomo, B., Durand, P. (2011). Genomes of avian malaria parasites in"
    f" Gabonese forest birds. Dryad. https://doi.org/{DRYAD}",
    "another-consortium": f"European Spondylitis Genetics Network. (2017). Summary data"
    f" ankylosing spondylitis GWAS. Harvard Dataverse. https://doi.org/{DATAVERSE}",
    "another-program": f"Garza, K. (2016). Crossover experiment scheduler for clinical"
    f" trials (v1.0). Zenodo. https://doi.org/{ZENODO}",
}


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def entry_verdict(api: FakeApi, entry: str) -> Verdict:
    """The verdict on the entry (the worst of it and its own DOI, as a reader meets them)."""
    text = f"## References\n\n1. {entry}\n"
    with Checker(api.config(sources=("crossref", "doi"))) as checker:
        report = checker.check(text)
    [reference] = [f for f in report.items if f.citation.kind is Kind.REFERENCE]
    assert reference.citation.fields.doi is not None
    return reference.verdict


@pytest.mark.parametrize("entry", CORRECT.values(), ids=CORRECT.keys())
def test_correct_software_and_data_citations_are_verified(fake_api: FakeApi, entry: str) -> None:
    verdict = entry_verdict(fake_api, entry)
    assert verdict.status is Status.VERIFIED, verdict.reason
    assert verdict.source == "doi"


@pytest.mark.parametrize("entry", WRONG.values(), ids=WRONG.keys())
def test_wrong_software_and_data_citations_disagree(fake_api: FakeApi, entry: str) -> None:
    verdict = entry_verdict(fake_api, entry)
    assert verdict.status is Status.MISMATCH, verdict.reason
