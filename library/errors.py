from portal.services import PortalError


class LibraryError(PortalError):
    """A refused library operation; `code` is stable for tests."""
