from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from opsqm.forms_base import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错 5 次，账号将被锁定 30 分钟。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs["autofocus"] = True

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from opsqm.accounts.services import external_access_active

        if not external_access_active(user):
            raise forms.ValidationError(_("您的外部评审授权不在有效期内，请联系质量管理部。"), code="inactive")


class OwnPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """A user changes their own password (old password + the project's password validators)."""
