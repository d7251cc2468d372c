"""The public pages served from cache (issue 20).

Every cached piece hangs on one **content version**, a token kept in Django's cache
(`default`). Whatever can change what a cached page shows bumps it (publishing,
unpublishing, moving or deleting a page, a view restriction, a site, a school's record,
the municipality's settings, tags, images: see `cms/signals.py`), so a change is seen on
the next request, in every process, with nothing to purge: old entries are never read
again and expire.

For a page type that opts in (`PageCacheMixin`: the home, the school page, the news
indexes), `PageCacheMiddleware` keeps under the version

* the **route**: the site and the page object a path leads to, so a warm request skips
  Wagtail's routing and its view-restriction check (a page with a restriction is never
  kept), and
* the **fragments**: the parts of the template between `{% pagecache "name" %}` and
  `{% endpagecache %}`, all of one page in one entry, keyed by host, path, the query
  parameters the page declares, the language, today's date and whether someone is
  signed in.

What differs per person (the header with the user's name, CSRF tokens, messages, the CSP
nonce) stays outside the fragments and is rendered on every request; a fragment that
holds a CSRF token is refused. Both cache reads of a request are two round trips: the
version, then the route and the fragments together.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.http import http_date

VERSION_KEY = "cms:pagecache:version"
# Never read after a bump; the timeout only frees the memory of entries nobody reads.
DEFAULT_TIMEOUT = 60 * 60 * 6


def timeout() -> int:
    return getattr(settings, "CMS_PAGECACHE_TIMEOUT", DEFAULT_TIMEOUT)


def _new_version() -> str:
    # A random token, not a counter: after the cache is emptied (or in a test that
    # cleared it) a counter would start again at 1 and meet entries made under the
    # old 1 elsewhere; the time is when the content last changed (Last-Modified).
    return f"{uuid.uuid4().hex[:12]}.{int(time.time())}"


def content_version() -> str:
    """The current content version, made on first use."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def content_changed_at() -> datetime.datetime:
    """When the content last changed, as far as the cache knows (never earlier)."""
    seconds = int(content_version().rsplit(".", 1)[1])
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def _bump() -> None:
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def content_bump(**_signal_kwargs) -> None:
    """Invalidate every cached page: now, so this very request and transaction see
    the change, and again after the commit, so a page rendered by another request
    from the not yet committed data under the in-between version is not kept."""
    _bump()
    transaction.on_commit(_bump)


# --- the request's state --------------------------------------------------------------


@dataclass
class PageCacheState:
    version: str
    route_key: str
    fragments_key: str
    fragments: dict[str, str] = field(default_factory=dict)
    route_hit: bool = False
    route_page: object = None  # the page to keep, set by the before_serve_page hook
    dirty: bool = False

    def fragment(self, name: str) -> str | None:
        return self.fragments.get(name)

    def keep_fragment(self, name: str, html: str) -> None:
        if "csrfmiddlewaretoken" in html:
            # A form with a CSRF token differs per person: never shared.
            return
        self.fragments[name] = html
        self.dirty = True


def state_of(request) -> PageCacheState | None:
    return getattr(request, "_pagecache", None) if request is not None else None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _keys(request, path: str, version: str) -> tuple[str, str]:
    host = request.get_host()
    route_key = f"cms:pagecache:{version}:route:{_digest(host, path)}"
    # Every query parameter is in the key; only pages whose markup depends on none
    # (or on the ones they name) are kept, so junk parameters cost a miss, never a
    # wrong page (see PageCacheMixin.pagecache_params).
    fragments_key = "cms:pagecache:{}:fragments:{}".format(
        version,
        _digest(
            host,
            path,
            sorted(request.GET.lists()),
            translation.get_language(),
            timezone.localdate().isoformat(),
            request.user.is_authenticated,
        ),
    )
    return route_key, fragments_key


class PageCacheMixin:
    """A page type whose route and fragments may be kept. `pagecache_params`: the
    query parameters its markup depends on; a request with any other is served
    without the cache, so a junk parameter cannot fill it."""

    pagecache_params: tuple[str, ...] = ()

    def get_view_restrictions(self):
        # Set on the copy kept in the route cache, which is only kept without any.
        kept = getattr(self, "_pagecache_restrictions", None)
        if kept is not None:
            return kept
        return super().get_view_restrictions()


def _cacheable_params(request, allowed: tuple[str, ...] | None) -> bool:
    if allowed is None:
        return True
    return all(name in allowed for name in request.GET)


class PageCacheMiddleware:
    """Serve the opted-in Wagtail pages from the content-versioned cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = state_of(request)
        if state is not None and response.status_code == 200:
            self._store(request, state)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail import views as wagtail_views

        if view_func is not wagtail_views.serve or request.method not in ("GET", "HEAD"):
            return None
        if not _cacheable_params(request, _any_page_params()):
            return None
        path = view_args[0] if view_args else view_kwargs.get("path", "")
        version = content_version()
        route_key, fragments_key = _keys(request, path, version)
        found = cache.get_many([route_key, fragments_key])
        state = PageCacheState(version, route_key, fragments_key)
        route = found.get(route_key)
        if route is not None:
            site, page = route
            if not _cacheable_params(request, page.pagecache_params):
                return None
            request._wagtail_site = site
            request._wagtail_route_for_request = (page, [], {})
            state.route_hit = True
            state.fragments = found.get(fragments_key) or {}
        request._pagecache = state
        return None

    def _store(self, request, state: PageCacheState) -> None:
        entries = {}
        if not state.route_hit and state.route_page is not None:
            entries[state.route_key] = (request._wagtail_site, state.route_page)
        if state.dirty and (state.route_hit or state.route_page is not None):
            entries[state.fragments_key] = state.fragments
        if entries:
            cache.set_many(entries, timeout=timeout())


@functools.cache
def _any_page_params() -> tuple[str, ...]:
    """Every parameter some cached page type depends on (checked before routing)."""
    from wagtail.models import get_page_models

    names: set[str] = set()
    for model in get_page_models():
        if issubclass(model, PageCacheMixin):
            names.update(model.pagecache_params)
    return tuple(sorted(names))


def remember_route(page, request, *args, **kwargs) -> None:
    """The before_serve_page hook: keep a copy of an opted-in page taken before it
    renders (nothing of this request on it), if it has no view restriction and the
    request's parameters are ones its markup depends on."""
    state = state_of(request)
    if state is None or state.route_hit or not isinstance(page, PageCacheMixin):
        if state is not None and not state.route_hit:
            # Not a cached page type: render without fragments.
            request._pagecache = None
        return
    if not _cacheable_params(request, page.pagecache_params):
        request._pagecache = None
        return
    if list(page.get_view_restrictions()):
        request._pagecache = None
        return
    kept = copy.deepcopy(page)
    kept._pagecache_restrictions = []
    state.route_page = kept


# --- conditional GET for the feeds and the sitemap -------------------------------------


def feed_etag(request, *args, **kwargs) -> str:
    return _digest(content_version(), request.get_full_path(), translation.get_language())


def feed_last_modified(request, *args, **kwargs) -> datetime.datetime:
    return content_changed_at()


def last_modified_header(moment: datetime.datetime) -> str:
    return http_date(moment.timestamp())
