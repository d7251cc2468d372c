from allauth.account.adapter import DefaultAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by schools (by hand or by import), never by sign-up."""

    def is_open_for_signup(self, request):
        return False
