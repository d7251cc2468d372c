from django import template
from django.utils.safestring import mark_safe

from wagtail.models import Site

from .. import selectors
from ..common import LINK_FIELDS
from ..pagecache import state_of

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


@register.tag("pagecache")
def do_pagecache(parser, token):
    """`{% pagecache "name" %}…{% endpagecache %}`: a part of a page kept under the
    content version (cms/pagecache.py). Rendered as usual on a page that is not
    served from cache (another page type, a preview, a request with other parameters).
    Nothing per person may go inside: no user, no CSRF token, no messages."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the fragment's name")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, parser.compile_filter(bits[1]))


class PageCacheNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        state = state_of(context.get("request"))
        if state is None:
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        html = state.fragment(name)
        if html is None:
            html = self.nodelist.render(context)
            state.keep_fragment(name, str(html))
        return mark_safe(html)  # noqa: S308 (markup this template rendered itself)
