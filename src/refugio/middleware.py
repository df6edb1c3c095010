"""Site-wide HTTP edge rules."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control

# Carry no personal data and are cached on purpose (static files never reach this middleware:
# WhiteNoise, above it, answers them first).
UNCACHED_EXEMPT = ("/healthz",)


class NoStoreMiddleware:
    """No browser, proxy or CDN may keep a copy of a page or API answer: most carry personal data.

    Adds ``Cache-Control: no-store, private`` and ``Pragma: no-cache`` to every response, keeping any
    stricter directive a view set. A view that explicitly marked its response ``public`` keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path_info
        if path in UNCACHED_EXEMPT or path.startswith(settings.STATIC_URL):
            return response
        directives = {d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")}
        if "public" in directives:
            return response
        patch_cache_control(response, no_store=True, private=True)
        response.setdefault("Pragma", "no-cache")
        return response


class HtmxCompressionMiddleware(GZipMiddleware):
    """Compress the answers to htmx requests (gzip), and nothing else that is generated.

    BREACH needs an attacker to make the victim's browser send many requests carrying text of the
    attacker's choosing and to watch the sizes of the compressed answers. Requests with the `HX-Request`
    header can come only from this site's own pages: a page of another origin cannot add a custom header
    to a request without a CORS preflight, which this server never grants, and a navigation cannot set it.
    Full pages (which any site can make a browser load) stay uncompressed. Django's gzip also pads each
    answer by a random length (Heal the Breach), for depth.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.headers.get("HX-Request") != "true":
            return response
        return super().process_response(request, response)
