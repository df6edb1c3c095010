"""Sign-in: password (locked out by django-axes after repeated failures), then a TOTP code."""

from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from refugio.accounts.otp import is_verified


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        if settings.REFUGIO_REQUIRE_OTP:
            return str(_next_second_factor_step(self.request))
        return super().get_success_url()


def _next_second_factor_step(request: HttpRequest) -> str:
    has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return "/accounts/otp/" if has_device else "/accounts/otp/setup/"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    if not settings.REFUGIO_REQUIRE_OTP or is_verified(request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("token", _("This code is not valid. Wait for a new code and try again."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app once: scan the code, confirm with a first token."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp_verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("token", _("This code is not valid. Wait for a new code and try again."))
    buffer = BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration to inline it
    return render(request, "accounts/otp_setup.html", {"form": form, "qr_svg": mark_safe(svg)})  # noqa: S308


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
