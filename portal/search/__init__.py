"""Search shared by the catalogue and (later) the site's pages: text analysis
that turns words into plain-ASCII index keys. Imports neither the library nor
the CMS, so both can use it."""
