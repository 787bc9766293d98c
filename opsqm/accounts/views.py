from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from opsqm.accounts.access import visible_projects
from opsqm.accounts.forms import LoginForm, OwnPasswordChangeForm
from opsqm.accounts.services import token_regenerate


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest, password_form: OwnPasswordChangeForm | None = None) -> HttpResponse:
    token = Token.objects.filter(user=request.user).first()
    new_key = request.session.pop("new_token", None)
    return render(
        request,
        "accounts/profile.html",
        {
            "has_token": token is not None,
            "new_key": new_key,
            "projects": visible_projects(request.user).select_related("customer")[:50],
            "grants": request.user.external_grants.prefetch_related("projects"),
            "password_form": password_form or OwnPasswordChangeForm(request.user),
        },
        status=400 if password_form is not None else 200,
    )


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = OwnPasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return profile(request, password_form=form)
    form.save()
    update_session_auth_hash(request, form.user)  # stay signed in on this device
    messages.success(request, _("密码已修改。"))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    token = token_regenerate(user=request.user)
    # Shown once, then only its existence: the key is a password.
    request.session["new_token"] = token.key
    messages.success(request, _("已生成新的 API 令牌，旧令牌随即失效。"))
    return redirect("accounts:profile")
