"""Library models split by topic; issue 5 (circulation) adds models/circulation.py."""

from .catalogue import (
    Authority,
    AuthorityReference,
    FacetValue,
    Record,
    RecordChange,
    RecordIdentifier,
    SearchDocument,
    Term,
)
from .imports import ImportJob, ImportReportLine
from .lists import ReadingList, ReadingListItem, Topic, TopicEntry

__all__ = [
    "Authority",
    "AuthorityReference",
    "FacetValue",
    "ImportJob",
    "ImportReportLine",
    "ReadingList",
    "ReadingListItem",
    "Record",
    "RecordChange",
    "RecordIdentifier",
    "SearchDocument",
    "Term",
    "Topic",
    "TopicEntry",
]
