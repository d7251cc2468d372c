"""Small pieces the page models and the page queries (selectors) share, kept
apart so that neither has to import the other for them."""

from __future__ import annotations

import unicodedata

# The fields a link to a page needs (menus, breadcrumbs, section lists).
LINK_FIELDS = ("title", "url_path", "path", "depth", "live")


def fold(text: str) -> str:
    """Lower-case text without Polish diacritics: readers type "zolw" for "żółw"."""
    text = text.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
