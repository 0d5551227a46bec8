"""`match.compare`: each rule on realistic claim/record pairs, the way registries differ from
correct citations (must agree) and the way invented citations differ from records (must not)."""

from __future__ import annotations

import pytest

from factcheck.compare.fields import (
    AGREE,
    ALARM,
    DISAGREE,
    NOTE,
    RECORD_TITLE_CUT,
    UNKNOWN,
    claims_et_al,
    compare,
    compare_authors,
    compare_pages,
    compare_titles,
    compare_venues,
    compare_volumes,
    compare_years,
    first_page,
)
from factcheck.compare.venues import known_acronyms, venue_score
from factcheck.extract.names import split_authors
from factcheck.model import Author, Fields
from factcheck.train.venues import table


def people(*names: str) -> list[Author]:
    """ "Given Family" strings as Authors (the family name is the last word)."""
    authors = []
    for name in names:
        given, _, family = name.rpartition(" ")
        authors.append(Author(family=family, given=given or None))
    return authors


# --- titles ------------------------------------------------------------------------------------

TITLE = "Self-Consistency Improves Chain of Thought Reasoning in Language Models"


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        (TITLE, TITLE.upper()),
        (TITLE.lower(), TITLE + "."),
        ("Explanations for Monotonic Classifiers", "Explanations for <i>Monotonic</i> Classifiers"),
        (
            "Learning with $k$-nearest neighbours",
            "Learning with <mml:math><mml:mi>k</mml:mi></mml:math>-nearest neighbours",
        ),
        ("BERT", "BERT: Pre-training of Deep Bidirectional Transformers"),
        ("Deep Residual Learning: a subtitle", "Deep residual learning"),
        ("Pretraining transformers at scale", "Pre-training Transformers at Scale"),
        ("Statistical modelling of optimisation", "Statistical modeling of optimization"),
        ("Allocation &amp; regularization", "Allocation & Regularization"),
        ("Étude des réseaux", "Etude des reseaux"),
        ("A {GAN} for {\\emph{text}}", "A GAN for text"),
        ("Characterizing the risk of fairwashing", "Characterizing risk of fairwashing"),
    ],
)
def test_titles_that_differ_only_in_form_agree(claimed: str, found: str) -> None:
    assert compare_titles(claimed, found).state == AGREE


@pytest.mark.parametrize(
    ("claimed", "changed"),
    [
        (TITLE.replace("Reasoning", "Inference"), "inference"),
        ("BiasAdv: Bias-Adversarial Augmentation towards Model Debiasing", "towards"),
        ("Meta-Learnings Bidirectional Update Rules", "learnings"),
        ("Subspace Differential Privacys", "privacys"),
    ],
)
def test_near_miss_titles_disagree_and_name_the_words(claimed: str, changed: str) -> None:
    originals = {
        "inference": TITLE,
        "towards": "BiasAdv: Bias-Adversarial Augmentation for Model Debiasing",
        "learnings": "Meta-Learning Bidirectional Update Rules",
        "privacys": "Subspace Differential Privacy",
    }
    result = compare_titles(claimed, originals[changed])
    assert result.state == DISAGREE
    assert "near-miss" in result.note and changed in result.note
    assert result.score >= 0.7


def test_an_unrelated_title_is_another_title_with_a_low_score() -> None:
    result = compare_titles("Attention is all you need", "Deep residual learning for images")
    assert result.state == DISAGREE and result.note == "another title" and result.score < 0.7


def test_missing_titles_are_unknown() -> None:
    assert compare_titles(None, TITLE).state == UNKNOWN
    assert compare_titles(TITLE, "").state == UNKNOWN


# --- authors -----------------------------------------------------------------------------------

RECORD = people("Xuezhi Wang", "Jason Wei", "Dale Schuurmans", "Quoc Le")


def test_same_authors_with_initials_agree() -> None:
    claimed = [Author(family="Wang", given="X."), Author(family="Wei", given="J.")]
    claimed += [Author(family="Schuurmans", given="D"), Author(family="Le", given="Q. V.")]
    assert compare_authors(claimed, RECORD).state == AGREE


def test_et_al_prefix_agrees_only_when_the_claim_says_et_al() -> None:
    claimed = people("Xuezhi Wang", "Jason Wei")
    assert compare_authors(claimed, RECORD, truncated=True).state == AGREE
    partial = compare_authors(claimed, RECORD)
    assert partial.state == DISAGREE and "Schuurmans" in partial.note and "Le" in partial.note


def test_a_partial_list_missing_a_middle_author_disagrees_even_with_et_al() -> None:
    claimed = people("Xuezhi Wang", "Dale Schuurmans")
    assert compare_authors(claimed, RECORD, truncated=True).state == DISAGREE


def test_swapped_first_author_disagrees() -> None:
    claimed = people("Jason Wei", "Xuezhi Wang", "Dale Schuurmans", "Quoc Le")
    result = compare_authors(claimed, RECORD)
    assert result.state == DISAGREE and "first author is" in result.note


def test_invented_authors_are_named() -> None:
    claimed = people("Xuezhi Wang", "Jason Wei", "Petra Silva", "Quoc Le")
    result = compare_authors(claimed, RECORD)
    assert result.state == DISAGREE and "Silva" in result.note


def test_placeholder_authors_disagree() -> None:
    claimed = people("Giulia Romano", "Youssef Benali", "Sora Takahashi")
    assert compare_authors(claimed, RECORD).state == DISAGREE


def test_a_thin_record_confirms_the_first_author_only() -> None:
    thin = [Author(family="Wakefield", given="A J")]
    claimed = [Author(family="Wakefield", given="A."), Author(family="Murch", given="S.")]
    assert compare_authors(claimed, thin).state == AGREE
    other = [Author(family="Murch", given="S."), Author(family="Wakefield", given="A.")]
    assert compare_authors(other, thin).state == DISAGREE


def test_later_authors_in_another_order_still_agree() -> None:
    claimed = people("Xuezhi Wang", "Dale Schuurmans", "Jason Wei", "Quoc Le")
    result = compare_authors(claimed, RECORD)
    assert result.state == AGREE and "another order" in result.note


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        (Author(family="Meent", given="Jan-Willem van de"), Author(family="van de Meent")),
        (Author(family="van de Meent", given="J.-W."), Author(family="Meent", given="Jan-Willem")),
        (Author(family="y Arcas", given="Blaise Agüera"), Author(family="Agüera y Arcas")),
        (Author(family="Wei", given="Zhang"), Author(family="Zhang", given="Wei")),
        (Author(family="Müller", given="K."), Author(family="Muller", given="Klaus")),
        (Author(name="WHO Consortium"), Author(name="Who consortium")),
        (Author(family="Walker-Smith", given="J"), Author(family="Walker Smith", given="John")),
    ],
)
def test_name_forms_of_the_same_person_agree(mine: Author, theirs: Author) -> None:
    assert compare_authors([mine], [theirs]).state == AGREE


def test_a_malformed_record_author_list_decides_nothing() -> None:
    broken = [Author(family="d&apos", given="Francesco"), Author(family="X", given="A and B")]
    result = compare_authors(people("Francesco Amore"), broken)
    assert result.state == UNKNOWN and "malformed" in result.note


def test_missing_author_lists_are_unknown() -> None:
    assert compare_authors([], RECORD).state == UNKNOWN
    assert compare_authors(RECORD, []).state == UNKNOWN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wang X, Wei J, et al. Self-consistency. 2023.", True),
        ("Wang, X., Wei, J., and others (2023)", True),
        ("Wang, X., Wei, J., … Le, Q.", True),
        ("Wang X, Wei J. Self-consistency. 2023.", False),
    ],
)
def test_claims_et_al(raw: str, expected: bool) -> None:
    assert claims_et_al(raw) is expected


# --- years, volumes, pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimed", "found", "state"),
    [
        (2021, 2021, AGREE),
        (2021, 2020, AGREE),
        (2020, 2021, AGREE),
        (2021, 2018, DISAGREE),
        (2033, 2021, DISAGREE),
        (None, 2021, UNKNOWN),
    ],
)
def test_years_within_one_agree(claimed: int | None, found: int | None, state: str) -> None:
    assert compare_years(claimed, found).state == state


def test_volumes_and_first_pages_are_exact() -> None:
    assert compare_volumes("Vol. 351", "351").state == AGREE
    assert compare_volumes("35", "36").state == DISAGREE
    assert compare_volumes(None, "36").state == UNKNOWN
    assert compare_pages("637-41", "637-641").state == AGREE
    assert compare_pages("e1234", "E1234-E1240").state == AGREE
    assert compare_pages("638", "637-641").state == DISAGREE
    assert first_page("pp. 12–19") == "12"


# --- venues ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        ("ICLR", "The 9th International Conference on Learning Representations"),
        ("NeurIPS", "Advances in Neural Information Processing Systems"),
        ("NIPS", "Conference on Neural Information Processing Systems"),
        ("ICML 2023", "Proceedings of the 40th International Conference on Machine Learning"),
        ("ICML", "Proceedings of the 38th International Conference on Machine Learning"),
        ("CVPR", "2022 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"),
        ("AAAI", "Proceedings of the AAAI Conference on Artificial Intelligence"),
        ("J. Mach. Learn. Res.", "Journal of Machine Learning Research"),
        ("J Biol Chem", "Journal of Biological Chemistry"),
        (
            "Proc Natl Acad Sci USA",
            "Proceedings of the National Academy of Sciences of the United States of America",
        ),
        (
            "Proceedings of the National Academy of Sciences",
            "Proceedings of the National Academy of Sciences of the United States of America",
        ),
        ("The Lancet", "Lancet"),
        ("Proceedings of Machine Learning Research (ICML)", "Machine Learning Research"),
    ],
)
def test_venue_aliases_and_abbreviations_agree(claimed: str, found: str) -> None:
    assert compare_venues(claimed, [found]).state == AGREE


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        ("ICML", "Proceedings of the AAAI Conference on Artificial Intelligence"),
        ("UAI", "Advances in Neural Information Processing Systems"),
        ("CVPR", "The 11th International Conference on Learning Representations"),
        ("J Biol Chem", "Journal of Cell Biology"),
        ("Nature", "Science"),
        # A word of the record's name is not an acronym of it; extra words are another venue.
        ("Nature", "Nature Communications"),
        ("Journal of Statistical Machine Learning Theory", "Proc. Int. Conf. Machine Learning"),
    ],
)
def test_other_venues_disagree(claimed: str, found: str) -> None:
    assert compare_venues(claimed, [found]).state == DISAGREE


def test_a_short_container_title_counts_as_the_venue() -> None:
    assert compare_venues("Mach. Learn.", ["", "Mach. Learn."]).state == AGREE


def test_preprints_neither_confirm_nor_contradict_a_venue() -> None:
    assert compare_venues("arXiv preprint arXiv:2104.09425", ["Nature"]).state == UNKNOWN
    assert compare_venues("NeurIPS", [""], "posted-content").state == UNKNOWN


# --- the whole comparison ----------------------------------------------------------------------


def test_compare_counts_supporting_fields_and_lists_diffs() -> None:
    record = Fields(
        title="Ileal-lymphoid-nodular hyperplasia in children",
        authors=[Author(family="Wakefield", given="A J"), Author(family="Murch", given="S H")],
        year=1998,
        container="The Lancet",
        volume="351",
        pages="637-641",
    )
    claimed = record.model_copy(update={"year": 2003, "container": "Lancet"})
    result = compare(claimed, record)
    assert result.supporting == 5
    assert result.disagreeing() == ["year"]
    assert [(d.field, d.claimed, d.found, d.suggestion) for d in result.diffs] == [
        ("year", 2003, 1998, 1998)
    ]


def test_compare_author_diff_lists_both_sides() -> None:
    record = Fields(title="T", authors=people("Ann Lee", "Bo Chen"))
    claimed = Fields(title="T", authors=people("Ann Lee", "Zed Invented"))
    diff = compare(claimed, record).diffs[0]
    assert diff.field == "authors"
    assert diff.claimed == ["Lee, Ann", "Invented, Zed"]
    assert diff.found == ["Lee, Ann", "Chen, Bo"]


def test_compare_passes_truncation_and_venue_aliases() -> None:
    record = Fields(title="T", authors=people("Ann Lee", "Bo Chen"), container="Machine Learning")
    claimed = Fields(title="T", authors=people("Ann Lee"), container="Mach. Learn.")
    result = compare(claimed, record, truncated=True, venue_aliases=["Mach. Learn."])
    assert result.authors.state == AGREE and result.container.state == AGREE
    assert result.compared() == 3


def test_a_record_title_that_lost_its_italic_words_still_agrees() -> None:
    claimed = "Sites of synthesis and accumulation of alkaloid N-oxides in Senecio vulgaris L."
    found = "Sites of synthesis and accumulation of alkaloid N-oxides in "
    assert compare_titles(claimed, found).state == "agree"
    # A changed word is still a near miss, and many missing words are another title.
    assert compare_titles(claimed, found + "Senecio vulgatus L.").state == "disagree"
    assert compare_titles(claimed, "Sites of synthesis").state == "disagree"


def test_an_abbreviation_with_a_proceedings_prefix_names_the_venue() -> None:
    found = ["Transactions on Machine Learning Research"]
    assert compare_venues("Proc. Trans. Mach. Learn. Res.", found).state == "agree"
    assert compare_venues("Proc. Trans. Mach. Vis. Res.", found).state == "disagree"


def test_a_record_title_cut_short_after_a_preposition_agrees() -> None:
    claimed = "Effect of salinity on enzyme activity in Mytilus sp. from the western Baltic Sea"
    assert compare_titles(claimed, "Effect of salinity on enzyme activity in ").state == "agree"
    # A complete record title that the claim extends is another (chimeric) title.
    chimera = "Effect of salinity on enzyme activity and deep priors for sparse recovery"
    assert compare_titles(chimera, "Effect of salinity on enzyme activity").state == "disagree"


def test_initials_in_the_family_slot_are_no_evidence() -> None:
    found = [Author(family="R", given="Voutilainen")]
    assert compare_authors([Author(family="Voutilainen", given="S.")], found).state == "unknown"


def test_a_record_that_lists_only_the_first_authors_confirms_them() -> None:
    claimed = [Author(family=n) for n in ("Chowdhery", "Narang", "Devlin", "Bosma", "Mishra")]
    assert compare_authors(claimed, claimed[:3]).state == "agree"
    swapped = [claimed[0], Author(family="Smith"), *claimed[2:]]
    assert compare_authors(swapped, claimed[:3]).state == "disagree"


def test_page_words_are_not_page_numbers() -> None:
    assert compare_pages("p878-p889", "878").state == "agree"
    assert compare_pages("e33693", "e33693").state == "agree"
    assert compare_pages("pp. 12-19", "13").state == "disagree"


def test_a_record_title_cut_before_markup_neither_confirms_nor_contradicts() -> None:
    claimed = "Unexpected 13C-enrichment of organic components from wheat crop soils"
    cut = compare_titles(claimed, "Unexpected")
    assert cut.state == "unknown" and "first words" in cut.note
    assert compare_titles("Flowering of Senecio jacobaea", "Flowering of").state == "unknown"
    # Going on with a plain word after a complete record title is another, longer title.
    chimera = "Flowering of plants and deep priors"
    assert compare_titles(chimera, "Flowering of plants").state == "disagree"


def test_a_record_that_kept_the_first_word_of_a_family_name_agrees() -> None:
    claimed = [Author(family="Vander Cruyssen", given="B."), Author(family="Cantaert", given="T.")]
    assert compare_authors(claimed, [Author(family="Vander")]).state == AGREE
    assert compare_authors(claimed, [Author(family="Vandermeer")]).state == DISAGREE


def test_a_slip_of_a_letter_inside_a_long_word_is_a_typo_not_a_near_miss() -> None:
    record = "Stress, testosterone, and the immunoredistribution hypothesis"
    assert compare_titles(record.replace("distri", "disti"), record).state == AGREE
    assert compare_titles(record.replace("hypothesis", "hypotheses"), record).state == DISAGREE


def test_a_page_prefix_one_side_left_out_agrees() -> None:
    assert compare_pages("1-2", "S1").state == AGREE
    assert compare_pages("1234", "e1234").state == AGREE
    assert compare_pages("e12", "e13").state == DISAGREE


def test_a_title_cited_by_its_subtitle_alone_agrees() -> None:
    record = "Constitutional AI: Harmlessness from AI Feedback"
    assert compare_titles("Harmlessness from AI Feedback", record).state == AGREE
    assert compare_titles("Harmlessness", "Constitutional AI: Harmlessness").state == DISAGREE


def test_a_volume_that_is_the_claimed_year_is_not_compared() -> None:
    claimed = Fields(title="T", year=2021, volume="2021", container="Mach. Learn.")
    found = Fields(title="T", year=2021, volume="110", container="Machine Learning")
    assert compare(claimed, found).volume.state == UNKNOWN


# --- venues: identity from knowledge -------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        # Acronyms spelt by a run of the record's words, sponsors and ordinals left out.
        (
            "CCS",
            "Proceedings of the 2024 ACM SIGSAC Conference on Computer and Communications Security",
        ),
        ("In CCS", "CCS '24: Proceedings of the 2024 on ACM SIGSAC Conference"),
        ("NDSS", "Proceedings 2024 Network and Distributed System Security Symposium"),
        (
            "SOUPS @ USENIX Security",
            "Proceedings of the Twentieth Symposium on Usable Privacy and Security",
        ),
        ("NeurIPS", "Advances in Neural Information Processing Systems 34"),
        ("COLT", "Proceedings of Thirty Sixth Conference on Learning Theory"),
        (
            "IJCAI",
            "Proceedings of the Thirty-Second International Joint Conference on Artificial "
            "Intelligence",
        ),
        (
            "EMNLP",
            "Proceedings of the 2023 Conference on Empirical Methods in Natural Language "
            "Processing",
        ),
        ("PNAS", "Proceedings of the National Academy of Sciences of the United States of America"),
        # Known acronyms whose letters the name does not spell.
        (
            "KDD",
            "Proceedings of the 29th ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
        ),
        ("S&P", "2024 IEEE Symposium on Security and Privacy (SP)"),
        ("IEEE S&P", "IEEE Symposium on Security and Privacy"),
        ("CHI", "Proceedings of the SIGCHI Conference on Human Factors in Computing Systems"),
        (
            "CHI EA",
            "Extended Abstracts of the 2025 CHI Conference on Human Factors in Computing Systems",
        ),
        (
            "CHI Extended Abstracts",
            "Extended Abstracts of the CHI Conference on Human Factors in Computing Systems",
        ),
        ("NIPS", "NeurIPS"),
        ("Advances in Neural Information Processing Systems", "NeurIPS"),
        ("WWW '23", "Proceedings of the ACM Web Conference 2023"),
        (
            "MobiCom",
            "Proceedings of the 6th Annual International Conference on Mobile Computing and "
            "Networking",
        ),
        # The venue's own acronym set apart in its name, tracks and volumes.
        ("EMNLP Findings", "Findings of the Association for Computational Linguistics: EMNLP 2023"),
        (
            "Findings of EMNLP",
            "Findings of the Association for Computational Linguistics: EMNLP 2023",
        ),
        (
            "ACL (Volume 1: Long Papers)",
            "Proceedings of the 61st Annual Meeting of the Association for Computational "
            "Linguistics (Volume 1: Long Papers)",
        ),
        ("ECCV", "Computer Vision – ECCV 2022"),
        (
            "NAACL-HLT",
            "Proceedings of the 2019 Conference of the North American Chapter of the Association "
            "for Computational Linguistics: Human Language Technologies, Volume 1",
        ),
        ("CACM", "Communications of the ACM"),
        ("Proc. VLDB Endow.", "Proceedings of the VLDB Endowment"),
        ("USENIX Security", "32nd USENIX Security Symposium (USENIX Security 23)"),
        # Journals: subtitles, "The", "&", ISO 4 and NLM abbreviations, place qualifiers.
        ("Dermatitis", "Dermatitis: Contact, Atopic, Occupational, Drug"),
        ("Lancet", "The Lancet"),
        ("Cancer Biol Ther", "Cancer Biology & Therapy"),
        ("Drug and Alcohol Dependence", "Drug Alcohol Depend"),
        ("Journal of Experimental Psychology", "J Exp Psychol"),
        ("Proc Natl Acad Sci", "Proc Natl Acad Sci U S A"),
        ("Proc. Natl. Acad. Sci.", "Proc Natl Acad Sci USA"),
        ("Psychopharmacology", "Psychopharmacology (Berl)"),
        ("Am J Med Genet", "Am J Med Genet A"),
        ("Neuro- Image", "NeuroImage"),
        ("Behavioural Ecology", "Behavioral Ecology"),
        # A volume, or a title, read into the claimed venue.
        ("Lancet, ii", "Lancet"),
        (
            "Covariate-Shift Generalization via Random Sample Weighting. In *AAAI",
            "Proceedings of the AAAI Conference on Artificial Intelligence",
        ),
    ],
)
def test_a_venue_named_in_another_usual_form_agrees(claimed: str, found: str) -> None:
    assert compare_venues(claimed, [found]).state == AGREE


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        # HALLMARK's wrong_venue: another conference's acronym.
        ("ICCV", "2022 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"),
        ("ICML", "Journal of Machine Learning Research"),
        ("NeurIPS", "Proceedings of the 40th International Conference on Machine Learning"),
        (
            "AAAI",
            "Proceedings of the Thirty-Second International Joint Conference on Artificial "
            "Intelligence",
        ),
        (
            "ACL",
            "Proceedings of the 2023 Conference on Empirical Methods in Natural Language "
            "Processing",
        ),
        ("CHI EA", "Proceedings of the 2025 CHI Conference on Human Factors in Computing Systems"),
        ("KDD", "Proceedings of the ACM Web Conference 2023"),
        # A journal of the same family, or one word of another's name, is another journal.
        ("JAMA", "JAMA Internal Medicine"),
        ("Lancet", "The Lancet Oncology"),
        ("Science", "Science Advances"),
        ("Ann Surg", "Ann Plast Surg"),
        ("Ann Surg", "Ann Surg Oncol"),
        ("Am J Surg", "J Am Coll Surg"),
        ("Int J Cancer", "Cancer J"),
        ("Int J Cancer", "Br J Cancer"),
        ("J Gastroenterol", "World J Gastroenterol"),
        # An abbreviated name's segments are no venues of their own.
        ("Exp. Brain Res.", "Brain Res"),
        ("Int. J. Sports Med.", "Sports Med"),
    ],
)
def test_a_different_venue_still_disagrees(claimed: str, found: str) -> None:
    assert compare_venues(claimed, [found]).state == DISAGREE


def test_every_name_the_record_gives_its_venue_counts() -> None:
    record = Fields(
        title="T",
        container="Proceedings of the 2024 on ACM Conference",
        container_aliases=["CCS '24"],
    )
    assert compare(Fields(title="T", container="CCS"), record).container.state == AGREE
    assert compare(Fields(title="T", container="NDSS"), record).container.state == DISAGREE


def test_the_preprint_cited_for_a_published_work_is_a_note() -> None:
    result = compare_venues(
        "arXiv preprint arXiv:1706.03762", ["Advances in Neural Information Processing Systems"]
    )
    assert result.state == UNKNOWN and result.severity == NOTE
    assert "published in Advances" in result.note
    # Against a preprint's record there is nothing to note.
    assert compare_venues("arXiv", ["arXiv"], "posted-content").severity is None
    assert compare_venues("CoRR abs/1706.03762", ["CoRR"]).severity is None


# --- titles: what registries and parses do to a correct title ------------------------------------


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        # The record goes on after a comma or a full stop, or has a bracketed part.
        (
            "Avian influenza virus (H5N1) outbreaks",
            "Avian influenza virus (H5N1) outbreaks, Kuwait, 2007",
        ),
        ("Genetic code 1990", "Genetic code 1990. Outlook"),
        (
            "A novel role for p73 in the regulation of apoptosis induced by the plant lectin",
            "A novel role for p73 in the regulation of apoptosis induced by the plant lectin, "
            "Concanavalin A",
        ),
        (
            "Molecular description of a model of ovarian cancer",
            "Molecular description of a model of ovarian cancer (EOC)",
        ),
        (
            "Hypertrichosis of the eyelashes: a blessing or a bother?",
            "Hypertrichosis of the eyelashes: a blessing or a bother? [letter]",
        ),
        # A group author read into the claimed title before a colon.
        (
            "National Consensus Development Panel: Effective Medical Treatment of Opiate Addiction",
            "Effective Medical Treatment of Opiate Addiction",
        ),
        (
            "Alzheimer's Disease International: Global prevalence of dementia: a Delphi consensus "
            "study",
            "Global prevalence of dementia: a Delphi consensus study",
        ),
    ],
)
def test_a_title_the_record_extends_or_a_group_name_prefixes_agrees(
    claimed: str, found: str
) -> None:
    assert compare_titles(claimed, found).state == AGREE


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        # Fragments that show where the registry cut a title (italic names lost).
        (
            "Desulfovibrio desulfuricans bacteremia and review of human Desulfovibrio infections",
            "bacteremia and review of human",
        ),
        (
            "Babesia bicornis sp. nov. and Theileria bicornis sp. nov.: tickborne parasites",
            "sp. nov. and",
        ),
        (
            "Replication and p intervals: p values predict the future only vaguely",
            "Replication and",
        ),
        (
            "Predominant expression of Sir2α, an NAD-dependent histone deacetylase",
            "Predominant expression of Sir2",
        ),
        (
            "Effect of CVT-E002™ (COLD-fX®) versus a ginsenoside extract",
            "Effect of CVT-E002™ (COLD-fX",
        ),
    ],
)
def test_a_visibly_cut_record_title_neither_confirms_nor_contradicts(
    claimed: str, found: str
) -> None:
    result = compare_titles(claimed, found)
    assert result.state == UNKNOWN and result.note == RECORD_TITLE_CUT


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        # The claim drops words of a record that looks whole: a near miss, not a cut.
        ("Avian influenza", "Avian influenza virus (H5N1) outbreaks, Kuwait, 2007"),
        ("Genetic code 1990", "Genetic code 1991. Outlook"),
        # A complete record title inside a longer claim: a chimera.
        (
            "Sparse deep priors with bacteremia and review of human cells",
            "Bacteremia and review of human cells",
        ),
        # The prefix before the colon is no group name when the rest is another title.
        (
            "National Consensus Panel: Effective Medical Treatment of Pain",
            "Effective Medical Treatment of Opiate Addiction",
        ),
    ],
)
def test_titles_that_only_look_cut_still_disagree(claimed: str, found: str) -> None:
    assert compare_titles(claimed, found).state == DISAGREE


# --- names ---------------------------------------------------------------------------------------

PARTICLE_RECORD = [
    Author(family="de Marino", given="Paolo"),
    Author(family="de la Riva", given="Maria L."),
    Author(family="Montes de Oca", given="Miguel"),
    Author(family="van den Oord", given="Aaron"),
    Author(family="Müller", given="Klaus"),
    Author(family="Sørensen", given="Lars"),
    Author(family="Walker-Smith", given="John A."),
]


@pytest.mark.parametrize(
    "written",
    [
        "de Marino P, de la Riva ML, Montes de Oca M, van den Oord A, Mueller K, Sorensen L, "
        "Walker-Smith JA",
        "Marino, P. de, Riva, M. L. de la, Montes de Oca, M., Oord, A. van den, Müller, K., "
        "Sørensen, L., & Walker-Smith, J. A.",
        "P. de Marino, M. L. de la Riva, M. Montes de Oca, A. van den Oord, K. Müller, L. "
        "Sörensen, "
        "and J. A. Walker Smith",
        "De Marino P, De la Riva ML, Montes De Oca M, Van den Oord A, Muller K, Soerensen L, "
        "Walker Smith J",
    ],
)
def test_names_with_particles_transliterations_and_hyphens_agree(written: str) -> None:
    result = compare_authors(split_authors(written), PARTICLE_RECORD)
    assert result.state == AGREE and result.severity is None, result.note


def test_initials_read_as_the_family_name_still_name_the_person() -> None:
    claimed = [Author(family="J", given="Smith"), Author(family="Lee", given="K")]
    record = [Author(family="Smith", given="John"), Author(family="Lee", given="Kim")]
    assert compare_authors(claimed, record).state == AGREE
    other = [Author(family="Jones", given="Sam"), Author(family="Lee", given="Kim")]
    assert compare_authors(claimed, other).state == DISAGREE


def test_a_misspelt_surname_is_a_note_not_another_author() -> None:
    record = [Author(family="Mathews", given="Andrew"), Author(family="Mackintosh", given="B.")]
    for slip in ("Matthew", "Mathew", "Mathewss", "Mahtews"):
        claimed = [Author(family=slip, given="A."), Author(family="Mackintosh", given="B.")]
        result = compare_authors(claimed, record)
        assert result.state == AGREE and result.severity == NOTE, slip
        assert "Mathews" in result.note
    # Another initial, another first letter, or a short name is another person.
    for other in (("Matthew", "K."), ("Lathews", "A."), ("Mat", "A.")):
        claimed = [Author(family=other[0], given=other[1]), Author(family="Mackintosh", given="B.")]
        assert compare_authors(claimed, record).state == DISAGREE, other


def test_authors_in_another_order_are_a_note() -> None:
    claimed = people("Xuezhi Wang", "Dale Schuurmans", "Jason Wei", "Quoc Le")
    result = compare_authors(claimed, RECORD)
    assert result.state == AGREE and result.severity == NOTE and "another order" in result.note
    assert compare_authors(RECORD, RECORD).severity is None


LONG_RECORD = [Author(family=f"Author{chr(65 + i)}son", given="Q.") for i in range(25)]


@pytest.mark.parametrize("kept", [3, 6, 10, 19])
def test_a_list_shortened_by_its_style_agrees_when_it_says_so(kept: int) -> None:
    assert compare_authors(LONG_RECORD[:kept], LONG_RECORD, truncated=True).state == AGREE
    assert compare_authors(LONG_RECORD[:kept], LONG_RECORD).state == DISAGREE


def test_apa_7_first_nineteen_an_ellipsis_and_the_last_author_agree() -> None:
    claimed = [*LONG_RECORD[:19], LONG_RECORD[-1]]
    assert compare_authors(claimed, LONG_RECORD, truncated=True).state == AGREE
    assert compare_authors(claimed, LONG_RECORD).state == DISAGREE
    # The last author must be the record's last; one from the middle is a partial list.
    middle = [*LONG_RECORD[:19], LONG_RECORD[21]]
    assert compare_authors(middle, LONG_RECORD, truncated=True).state == DISAGREE


@pytest.mark.parametrize(
    "raw",
    [
        "Smith, J., Lee, K., . . . Zhou, Q. (2020).",
        "Smith J, Lee K, et al.",
        "Smith, J. and others",
        "Smith … Zhou",
    ],
)
def test_each_style_of_shortening_is_seen(raw: str) -> None:
    assert claims_et_al(raw)


def test_a_record_name_of_capitals_alone_is_the_persons_initials() -> None:
    kraus = [Author(family="Kraus", given="JF"), Author(family="Rice", given="TM")]
    assert compare_authors(kraus, [Author(family="JF")]).state == AGREE
    assert (
        compare_authors([Author(family="Kraus", given="J. F.")], [Author(family="JF")]).state
        == AGREE
    )
    # Other initials, or a given name with another first letter, are another person.
    assert (
        compare_authors([Author(family="Rice", given="TM")], [Author(family="JF")]).state
        == DISAGREE
    )
    assert (
        compare_authors([Author(family="Lee", given="Kwast")], [Author(family="SH")]).state
        == DISAGREE
    )
    assert (
        compare_authors(
            [Author(family="Ng", given="A.")], [Author(family="Ng", given="Andrew")]
        ).state
        == AGREE
    )


def test_authors_read_into_the_claimed_title_are_taken_back() -> None:
    record = Fields(
        title="Neuro-Symbolic Language Modeling with Automaton-augmented <i>Retrieval</i>",
        authors=people(
            "Uri Alon", "Frank Xu", "Junxian He", "Sudipta Sengupta", "Dan Roth", "Graham Neubig"
        ),
    )
    claimed = Fields(
        title="Sudipta Sengupta, Dan Roth, and Graham Neubig. Neuro-Symbolic Language Modeling "
        "with Automaton-augmented Retrieval",
        authors=people("Uri Alon", "Frank Xu", "Junxian He"),
    )
    result = compare(claimed, record)
    assert result.title.state == AGREE and result.authors.state == AGREE
    # Words before the full stop that are not the record's authors' names stay in the title.
    invented = claimed.model_copy(update={"title": "Deep Priors. " + record.title})
    assert compare(invented, record).authors.state == DISAGREE


# --- severity: how far, and whether it would mislead ---------------------------------------------


@pytest.mark.parametrize(
    ("claimed", "found", "severity"),
    [
        ("333-350", "345", NOTE),  # the record's first page inside the claimed range
        ("637-41", "638", NOTE),
        ("12", "13", NOTE),  # one page off
        ("12-19", "11-19", NOTE),
        ("333", "345", ALARM),
        ("30", "S64", ALARM),
        ("e1234", "e1240", ALARM),
    ],
)
def test_pages_a_slip_apart_are_a_note_further_an_alarm(
    claimed: str, found: str, severity: str
) -> None:
    result = compare_pages(claimed, found)
    assert result.state == DISAGREE and result.severity == severity


def test_a_volume_one_character_off_is_a_note() -> None:
    assert compare_volumes("18", "28").severity == NOTE
    assert compare_volumes("18", "180").severity == NOTE
    assert compare_volumes("18", "41").severity == ALARM


def test_a_year_one_off_agrees_with_a_note_further_disagrees() -> None:
    assert (compare_years(2019, 2020).state, compare_years(2019, 2020).severity) == (AGREE, NOTE)
    assert compare_years(2019, 2019).severity is None
    assert compare_years(2017, 2020).severity == ALARM


def test_compare_lists_notes_and_alarms_with_their_severity() -> None:
    record = Fields(title="T", authors=people("Ann Lee"), year=2020, volume="28", pages="345-350")
    claimed = Fields(title="T", authors=people("Bo Chen"), year=2019, volume="18", pages="1-9")
    result = compare(claimed, record)
    assert result.noted() == ["year", "volume"] and result.alarms() == ["authors", "pages"]
    assert [(d.field, d.severity) for d in result.diffs] == [
        ("authors", "alarm"),
        ("year", "note"),
        ("volume", "note"),
        ("pages", "alarm"),
    ]


def test_the_locators_of_a_work_its_title_authors_and_year_name_are_notes() -> None:
    record = Fields(
        title="Studies of interference in serial verbal reactions",
        authors=people("Ann Lee"),
        year=2020,
        volume="28",
        pages="345-350",
    )
    claimed = record.model_copy(update={"volume": "41", "pages": "30"})
    result = compare(claimed, record)
    assert result.alarms() == [] and result.noted() == ["volume", "pages"]
    assert "name the work" in result.pages.note
    # Once the year (or the title, or the authors) disagrees, a locator says more.
    near_miss = "Studies of interference in serial verbal responses"
    for update in ({"year": 2015}, {"authors": people("Bo Chen")}, {"title": near_miss}):
        other = compare(claimed.model_copy(update=update), record)
        assert {"volume", "pages"} <= set(other.alarms()), update


def test_a_title_tail_read_into_the_venue_is_taken_back() -> None:
    record = Fields(title="Genetic code 1990. Outlook", container="Experientia", year=1990)
    claimed = Fields(title="Genetic code 1990", container="Outlook. Experientia", year=1990)
    assert compare(claimed, record).container.state == AGREE
    # The venue opening with other words is still compared as written.
    other = claimed.model_copy(update={"container": "Perspective. Experientia"})
    assert compare(other, record).container.state == DISAGREE


CARE = "Acute care outcomes in rural hospitals"


@pytest.mark.parametrize(
    ("title", "venue", "record_venue"),
    [
        (f"{CARE}. Ann. Emerg", "Med", "Ann. Emerg. Med."),
        (f"{CARE}. J Clin", "Oncol", "Journal of Clinical Oncology"),
        (f"{CARE}. Proc Natl Acad", "Sci", "Proc Natl Acad Sci U S A"),
    ],
)
def test_a_venue_head_read_into_the_title_is_taken_back(
    title: str, venue: str, record_venue: str
) -> None:
    record = Fields(title=CARE, container=record_venue)
    comparison = compare(Fields(title=title, container=venue), record)
    assert comparison.container.state == AGREE
    assert comparison.title.state == AGREE


@pytest.mark.parametrize(
    ("title", "venue"),
    [
        # The words after the cut, with the venue, name another journal.
        ("Acute care outcomes in rural hospitals. Ann. Surg", "Med"),
        # The title before the cut is not the record's.
        ("Acute care outcomes in urban hospitals. Ann. Emerg", "Med"),
        # Another venue, no cut in the title.
        ("Acute care outcomes in rural hospitals", "Med"),
    ],
)
def test_a_title_and_venue_that_do_not_rebuild_the_records_venue_still_disagree(
    title: str, venue: str
) -> None:
    record = Fields(title=CARE, container="Ann. Emerg. Med.")
    assert compare(Fields(title=title, container=venue), record).container.state == DISAGREE


@pytest.mark.parametrize(
    ("venue", "state"),
    [
        ("Hospitals. In *Ann. Emerg. Med.*", AGREE),
        ("Rural hospitals, Annals of Emergency Medicine", AGREE),
        # The rest names another journal, or the venue repeats words the title does not end with.
        ("Hospitals. In *Ann. Surg.*", DISAGREE),
        ("Outcomes. In *Ann. Emerg. Med.*", DISAGREE),
    ],
)
def test_the_title_end_read_into_both_title_and_venue_is_taken_back(venue: str, state: str) -> None:
    record = Fields(title=CARE, container="Annals of Emergency Medicine")
    assert compare(Fields(title=CARE, container=venue), record).container.state == state


def test_a_venue_that_repeats_the_group_author_is_no_venue_claim() -> None:
    society = "European Society of Hypertension"
    record = Fields(title="Guideline 7: ambulatory blood pressure", container="J Hypertens")
    claimed = Fields(title=record.title, authors=[Author(name=society)], container=society)
    assert compare(claimed, record).container.state == UNKNOWN
    # A venue that is not the author's name is compared as written.
    other = claimed.model_copy(update={"container": "Hypertension Research"})
    assert compare(other, record).container.state == DISAGREE
    person = claimed.model_copy(update={"authors": [Author(family="Society", given="E.")]})
    assert compare(person, record).container.state == DISAGREE


def test_a_group_named_before_a_full_stop_in_the_claimed_title_agrees() -> None:
    record = "Voriconazole versus amphotericin B for primary therapy of invasive aspergillosis"
    claimed = "Invasive Fungal Infections Group and the Global Aspergillus Study Group. " + record
    assert compare_titles(claimed, record).state == AGREE
    assert compare_titles("Study Group. Voriconazole for therapy", record).state == DISAGREE


def test_the_derived_venue_table_keeps_only_what_the_rules_cannot_tell() -> None:
    names = [
        "Proceedings of Human Factors in Computing Systems (CHI91)",  # known already
        "Proc. Conf. Digital Audio Effects (DAFx)",  # not spelt: kept
        "Proceedings of the IEEE International Joint Conference on Neural Networks (IJCNN89)",
        "Calcif Tissue Int (US)",  # a place
        "SIAM Journal on Numerical Analysis (SIAM)",  # a publisher
        "Journal of Computer and Systems Sciences, Elsevier (SCI)",  # a list
        "Proceedings of the National Conference on Artificial Intelligence (AAAI)",
    ]
    assert table(names) == [
        ("aaai", "national artificial intelligence"),
        ("dafx", "digital audio effects"),
    ]
    with_row = dict(table(names))
    assert venue_score("DAFx", ["Proc. Conf. Digital Audio Effects"]) == 1.0
    assert with_row["aaai"] in known_acronyms()["aaai"]


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("WHO", "World Health Organization"),
        ("CDC", "Centers for Disease Control and Prevention"),
        ("FDA", "Food and Drug Administration"),
        ("OECD", "Organisation for Economic Co-operation and Development"),
    ],
)
def test_an_organisation_cited_by_its_acronym_is_the_organisation(short: str, full: str) -> None:
    assert compare_authors([Author(family=short)], [Author(name=full)]).state == AGREE
    assert compare_authors([Author(name=full)], [Author(name=short)]).state == AGREE
    assert compare_authors([Author(family="NIH")], [Author(name=full)]).state == DISAGREE


def test_a_person_record_jamming_two_names_is_no_evidence_but_an_organisation_may_say_and() -> None:
    jammed = [Author(family="Smith and Jones", given="J")]
    assert compare_authors([Author(family="Smith", given="J")], jammed).state == UNKNOWN
    fda = [Author(name="Food and Drug Administration")]
    assert compare_authors([Author(name="Food and Drug Administration")], fda).state == AGREE


def test_a_parse_that_cut_the_claimed_title_or_took_a_name_for_it_is_no_evidence() -> None:
    record = Fields(
        title="IBRNet: Learning Multi-View Image-Based Rendering",
        authors=people("Qianqian Wang", "Trevor Duke", "Noah Snavely"),
    )
    for title in (
        "Rendering",
        "Image-Based Rendering",
        "Trevor Duke",
        "Noah Snavely and Trevor Duke",
    ):
        result = compare(Fields(title=title, authors=record.authors), record)
        assert result.title.state == UNKNOWN, title
    # A few words from elsewhere in the title, or a name the record lacks, still disagree.
    for title in ("Learning Rendering", "Multi-View Image", "Trevor Smith"):
        result = compare(Fields(title=title, authors=record.authors), record)
        assert result.title.state == DISAGREE, title


def test_a_name_cut_in_two_by_a_parse_is_mended_with_the_authors_taken_from_the_title() -> None:
    record = Fields(
        title="GreaseLM: Graph REASoning Enhanced Language Models",
        authors=people("Percy Liang", "Christopher D. Manning", "Jure Leskovec"),
    )
    claimed = Fields(
        title="Manning, and Jure Leskovec. GreaseLM: Graph REASoning Enhanced Language Models",
        authors=[Author(family="Liang", given="Percy"), Author(family="Christopher", given="D")],
    )
    result = compare(claimed, record)
    assert result.title.state == AGREE and result.authors.state == AGREE


def test_a_claimed_list_that_starts_inside_a_name_cannot_speak_for_the_first_author() -> None:
    record = [Author(family="Aubourg", given="P.")]
    cut = [Author(family="C"), Author(family="Fischer", given="A")]
    assert compare_authors(cut, record).state == UNKNOWN
    # A real first author that is not the record's still disagrees.
    assert compare_authors([Author(family="Cohen", given="C"), *cut[1:]], record).state == DISAGREE


NISSLE = (
    "Effect of orally administered probiotic E. coli strain Nissle 1917 on intestinal "
    "mucosal immune cells of healthy young pigs"
)


@pytest.mark.parametrize(
    ("claimed_title", "record_title"),
    [
        (NISSLE, "Effect of orally administered probiotic"),  # the record lost the strain
        (NISSLE, NISSLE),
        (
            "The 1917 revolution in Russian agriculture",
            "The 1917 revolution in Russian agriculture",
        ),
    ],
)
def test_a_record_year_written_in_the_title_is_a_note_not_an_alarm(
    claimed_title: str, record_title: str
) -> None:
    found = Fields(title=record_title, year=1917, container="Vet Immunol Immunopathol")
    result = compare(Fields(title=claimed_title, year=2006, container=found.container), found)
    assert result.year.state == DISAGREE and result.year.severity == NOTE
    assert result.alarms() == [] and result.noted() == ["year"]
    assert "number in the title" in result.year.note


def test_a_year_is_still_an_alarm_when_the_title_names_another_year_or_the_claimed_one() -> None:
    for title in (NISSLE.replace("1917", "1925"), NISSLE, "Probiotics in young pigs"):
        found = Fields(title=title, year=2006)
        # The claim's year (1917) is in the title, the record's (2006) is not: a wrong year.
        result = compare(Fields(title=title, year=1917), found)
        assert result.year.severity == ALARM, title
