"""Catalogue facets that come from copies: which school libraries hold a record
and whether a copy is on the shelf now. Registered with the catalogue's search
through `library.search.register_facet`, so the catalogue never imports us."""

from django.utils.translation import gettext_lazy as _

from library.search import ExtraFacet, register_facet
from portal.models import School

from .models import Copy

HELD = f"('{Copy.Status.LOST}', '{Copy.Status.WITHDRAWN}')"


def register_copy_facets() -> None:
    # Cached counts and facets depend on the copies: Copy and CopyQuerySet bump
    # the catalogue version on every write themselves.
    copies = Copy._meta.db_table
    schools = School._meta.db_table
    register_facet(
        ExtraFacet(
            kind="holding",
            title=_("Library"),
            values_sql=(
                f"SELECT s.short_name, COUNT(DISTINCT c.record_id) FROM {{hits}} hits"
                f" JOIN {copies} c ON c.record_id = hits.rid"
                f" JOIN {schools} s ON s.id = c.school_id"
                f" WHERE c.status NOT IN {HELD}"
                " GROUP BY s.short_name ORDER BY 2 DESC, 1 LIMIT 12"
            ),
            filter_sql=(
                f"d.record_id IN (SELECT c.record_id FROM {copies} c"
                f" JOIN {schools} s ON s.id = c.school_id"
                f" WHERE s.short_name = %s AND c.status NOT IN {HELD})"
            ),
        )
    )
    register_facet(
        ExtraFacet(
            kind="availability",
            title=_("Availability"),
            values_sql=(
                f"SELECT c.status, COUNT(DISTINCT c.record_id) FROM {{hits}} hits"
                f" JOIN {copies} c ON c.record_id = hits.rid"
                f" WHERE c.status = '{Copy.Status.AVAILABLE}' GROUP BY c.status"
            ),
            filter_sql=f"d.record_id IN (SELECT record_id FROM {copies} WHERE status = %s)",
            label=lambda value: str(_("on the shelf now")),
        )
    )
