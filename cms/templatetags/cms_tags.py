from django import template

from wagtail.models import Site

from .. import selectors
from ..common import LINK_FIELDS

register = template.Library()


def _site_root(request):
    if request is None:
        return None
    site = Site.find_for_request(request)
    return site.root_page if site else None


@register.inclusion_tag("cms/_section_nav.html", takes_context=True)
def section_nav(context):
    """The menu built from the page tree, with breadcrumbs for the current page."""
    request = context.get("request")
    page = context.get("page")
    root = _site_root(request)
    menu = selectors.menu_pages(root)
    crumbs = []
    if (
        page is not None
        and root is not None
        and page.pk != root.pk
        and page.path.startswith(root.path)
    ):
        crumbs = list(page.get_ancestors().filter(depth__gte=root.depth).only(*LINK_FIELDS))
    current_top = None
    if page is not None and root is not None and page.depth > root.depth:
        current_top = page.path[: len(root.path) + page.steplen]
    return {
        "request": request,
        "menu": menu,
        "current_top": current_top,
        "crumbs": crumbs,
        "page": page,
        "root": root,
    }
