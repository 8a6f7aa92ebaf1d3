"""Who publishes the sources of the reference graph's referencing rows (issue 22).

One place for two lists that the generator (``scripts/generate_reference.py``), the coverage
document (``scripts/qf_coverage.py``) and the tests all use:

* ``MIRROR_HOSTS``: document-mirror and re-upload sites. They copy other publishers' PDFs
  without saying who published them or whether the copy is current, so they are never a
  source: a row citing one is refused, and a test fails on any left in the graph.
* ``PUBLISHERS``: the publisher of every host the reference data cites. A source whose host
  is not listed has no known publisher and is refused too; ``official`` says whether the
  publisher is the body responsible for what it states (a national authority, an EU body,
  the legislator) or a third party whose page only repeats it.

Only the standard library: the generator runs from a checkout without the package installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

#: Substrings of mirror hosts ("abcdocz" matches abcdocz.com). Extend, never shorten.
MIRROR_HOSTS: tuple[str, ...] = (
    "abcdocz", "docslib", "studylib", "readkong", "yumpu", "vdocuments", "vdocument.in", "9pdf",
    "scribd", "issuu", "pdfcoffee", "dokumen.pub", "dokumen.tips", "pdfslide", "documents.pub",
    "fdocuments", "educationdocbox", "docplayer", "silo.tips", "5y1.org", "kulturimpuls",
    "academia.edu", "slideshare", "docsbay", "docest", "pingpdf", "manualzilla", "paperzz",
    "xdocs", "documents.tips", "pdf4pro", "fliphtml5", "calameo", "genderi",
)


@dataclass(frozen=True)
class Publisher:
    name: str
    hosts: tuple[str, ...]  # host suffixes: "europa.eu" covers europass.europa.eu
    official: bool = True


PUBLISHERS: tuple[Publisher, ...] = (
    # EU bodies
    Publisher("Cedefop", ("cedefop.europa.eu",)),
    Publisher("Eurydice (European Commission, EACEA)", ("eurydice.eacea.ec.europa.eu",)),
    Publisher("EUR-Lex (Publications Office of the EU)", ("eur-lex.europa.eu",)),
    Publisher("European Commission", ("europa.eu", "github.com/european-commission-empl")),
    Publisher("ETF (European Training Foundation)", ("etf.europa.eu",)),
    # national authorities, coordination points, legislators
    Publisher("OeAD (Austrian NQF coordination point)", ("qualifikationsregister.at",)),
    Publisher("Cyprus Qualifications Framework Committee", ("cyqf.gov.cy",)),
    Publisher("Nuffic", ("nuffic.nl", "insidr.nl")),
    Publisher("ENIC/NARIC Iceland", ("enicnaric.is",)),
    Publisher("CPI (Slovenian NQF coordination point)", ("nok.si",)),
    Publisher("Danish Ministry of Higher Education and Science (UFM)", ("ufm.dk",)),
    Publisher("Kutsekoda (Estonian Qualifications Authority)", ("kutsekoda.ee",)),
    Publisher("Polish Ministry of Education", ("prk.men.gov.pl",)),
    Publisher("ANQEP (Portuguese National Agency for Qualification and VET)", ("anqep.gov.pt",)),
    Publisher("SERI (Swiss State Secretariat for Education, Research and Innovation)", ("sbfi.admin.ch",)),
    Publisher("NSK (Czech National Register of Qualifications, NPI ČR)", ("narodnikvalifikace.cz",)),
    Publisher("Academic Information Centre (Latvian EQF NCP)", ("latvijaskvalifikacijas.lv", "nki-latvija.lv")),
    Publisher("SIOV (Slovak State Institute of VET, EQF NCP)", ("siov.sk",)),
    Publisher("Liechtenstein Agency for International Educational Affairs (NQFL)", ("nqfl.li",)),
    Publisher("Government of the Republic of Serbia (Social Inclusion and Poverty Reduction Unit)",
              ("socijalnoukljucivanje.gov.rs",)),
    Publisher("Romanian Ministry of Justice (legislation portal)", ("legislatie.just.ro",)),
    Publisher("Ministry of Education and Science of North Macedonia (NQF site)", ("mrk.mk",)),
    Publisher("National Qualifications Authority of Kosovo (AKK)", ("akkks.rks-gov.net",)),
    Publisher("QQI (Quality and Qualifications Ireland)", ("qqi.ie",)),
    Publisher("Welsh Government", ("wales.gov.uk", "gov.wales")),
    Publisher("QAA (Quality Assurance Agency for Higher Education)", ("qaa.ac.uk",)),
    Publisher("SCQF Partnership", ("scqf.org.uk",)),
    Publisher("DQR (German Federal Ministry of Education and KMK)", ("dqr.de",)),
    Publisher("Lithuanian Qualifications Framework (KPMPC / ltks.lt)", ("ltks.lt", "kpmpc.lt")),
    Publisher("MFHEA (Malta Further and Higher Education Authority)", ("mfhea.mt",)),
    Publisher("Finnish National Agency for Education (OPH)", ("oph.fi",)),
    Publisher("NCP NLQF (Dutch NQF coordination point)", ("nlqf.nl",)),
    Publisher("Dutch Government (wetten.overheid.nl)", ("wetten.overheid.nl",)),
    Publisher("French Government (Légifrance, Ministry of Labour)", ("legifrance.gouv.fr", "travail-emploi.gouv.fr")),
    Publisher("Gazzetta Ufficiale della Repubblica Italiana", ("gazzettaufficiale.it",)),
    Publisher("Studiekeuze123 (Dutch Government-funded study choice site)", ("studiekeuze123.nl",)),
    # universities stating their own credit practice
    Publisher("Imperial College London", ("imperial.ac.uk",)),
    Publisher("Heythrop College (University of London)", ("heythrop.ac.uk",)),
    Publisher("University of Innsbruck", ("uibk.ac.at",)),
    Publisher("JAMK University of Applied Sciences", ("jamk.fi",)),
    Publisher("Pädagogische Hochschule der Diözese Linz", ("phdl.at",)),
    Publisher("California State University, Long Beach", ("csulb.edu",)),
    Publisher("University of North Texas", ("unt.edu",)),
    # third parties whose pages repeat what others state (kept where the shared CSV cites them)
    Publisher("IHK Lippe zu Detmold (chamber of commerce)", ("ihk.de",), official=False),
    Publisher("ANFH (French hospital training association)", ("anfh.fr",), official=False),
    Publisher("EABHES (private accreditation body)", ("eabhes.eu",), official=False),
    Publisher("ECLEE (private association)", ("eclee.eu",), official=False),
    Publisher("Pearson (awarding organisation)", ("pearson.com",), official=False),
    Publisher("myjobscotland (Scottish councils' job portal)", ("myjobscotland.gov.uk",), official=False),
    Publisher("experts123 (question-and-answer site)", ("experts123.com",), official=False),
    Publisher("WorldAC (private accreditation body)", ("worldac.org",), official=False),
    Publisher("FutureLearn (MOOC platform)", ("futurelearn.com",), official=False),
)


def host(url: str) -> str:
    """The URL's host, lower case ('' for a URL without one)."""
    return (urlsplit(url.strip()).hostname or "").lower()


def is_mirror(url: str) -> bool:
    h = host(url)
    return any(m in h for m in MIRROR_HOSTS)


def _matches(url: str, suffix: str) -> bool:
    parts = urlsplit(url.strip())
    h = (parts.hostname or "").lower()
    if "/" in suffix:  # a host plus a path prefix ("github.com/<owner>")
        dom, path = suffix.split("/", 1)
        return h == dom and parts.path.lstrip("/").lower().startswith(path.lower())
    return h == suffix or h.endswith("." + suffix)


def publisher_of(url: str) -> Publisher | None:
    """The publisher whose host the URL is on (the most specific suffix wins), or None."""
    best: tuple[int, Publisher] | None = None
    for p in PUBLISHERS:
        for s in p.hosts:
            if _matches(url, s) and (best is None or len(s) > best[0]):
                best = (len(s), p)
    return best[1] if best else None


def by_name(name: str) -> Publisher | None:
    return next((p for p in PUBLISHERS if p.name == name), None)
