"""API token authentication that applies the same account rule as the session middleware."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from opsqm.accounts.access import account_usable


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check plus `account_usable`: a deactivated user or an external reviewer whose
    grant expired is refused (401) on every request, though the token still exists."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not account_usable(user):
            raise exceptions.AuthenticationFailed(_("账号已停用或外部评审授权已过期。"))
        return user, token
