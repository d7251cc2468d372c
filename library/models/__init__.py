"""Library models split by topic; issue 5 (circulation) adds models/circulation.py."""

from .catalogue import (
    Authority,
    AuthorityReference,
    CatalogueVersion,
    FacetValue,
    Record,
    RecordChange,
    RecordIdentifier,
    SearchDocument,
    SearchSummary,
    Term,
)
from .imports import ImportJob, ImportReportLine
from .lists import ReadingList, ReadingListItem, Topic, TopicEntry

__all__ = [
    "Authority",
    "AuthorityReference",
    "CatalogueVersion",
    "FacetValue",
    "ImportJob",
    "ImportReportLine",
    "ReadingList",
    "ReadingListItem",
    "Record",
    "RecordChange",
    "RecordIdentifier",
    "SearchDocument",
    "SearchSummary",
    "Term",
    "Topic",
    "TopicEntry",
]
