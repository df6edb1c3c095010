"""A person registers their family in Spanish on a small phone (360×640) with JavaScript off."""

from __future__ import annotations

import re

from refugio.accounts.models import Organisation
from refugio.people.models import Household
from refugio.registration.selectors import household_for
from tests.browser import needs_chromium, screenshot

PHONE = {"width": 360, "height": 640}


def _no_sideways_scroll(page: object) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # type: ignore[attr-defined]


@needs_chromium
def test_spanish_registration_on_a_small_phone_without_javascript(
    transactional_db: object,
    live_server: object,
    chromium: object,
) -> None:
    Organisation.objects.create(name="Al Otro Lado (demo)", kind="legal_aid", public_intake=True)
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport=PHONE, java_script_enabled=False, locale="es-MX", extra_http_headers={"Accept-Language": "es-MX"}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/register/")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Registrarse para pedir asilo"
    assert page.get_by_text("Paso 1 de 6").is_visible()
    _no_sideways_scroll(page)
    screenshot(page, "register-1-es")

    page.get_by_label("Nombres").fill("Rosa Elena")
    page.get_by_label("Primer apellido").fill("Ramírez")
    page.get_by_label("Segundo apellido (si tiene)").fill("Cruz")
    page.get_by_label("Día de nacimiento").fill("7")
    page.get_by_label("Mes de nacimiento").select_option("11")
    page.get_by_label("Año de nacimiento").fill("1988")
    page.get_by_label("Nacionalidad").select_option("GT")
    page.get_by_label("K'iche'").check()
    page.get_by_role("button", name="Continuar").last.click()

    assert page.locator("h1").inner_text() == "¿Quién está con usted?"
    page.get_by_label("Nombres").fill("Mateo")
    page.get_by_label("Primer apellido").fill("Ramírez")
    page.get_by_label("Si no sabe la fecha de nacimiento: edad en años").fill("4")
    page.get_by_label("¿Qué es esta persona para usted?").select_option("child")
    # The keyboard is enough: Enter in a field sends the step.
    page.get_by_label("Primer apellido").press("Enter")

    assert page.locator("h1").inner_text() == "¿Dónde está ahora?"
    _no_sideways_scroll(page)
    page.get_by_label("¿En qué ciudad de México está ahora?").fill("Tijuana")
    page.get_by_label("Teléfono donde podemos contactarle (con código de país, por ejemplo +52)").fill("664 555 0101")
    page.locator("input[name=contact_whatsapp][value=yes]").check()
    page.get_by_role("button", name="Continuar").last.click()

    assert page.locator("h1").inner_text() == "Caso en la corte"
    page.get_by_role("button", name="Continuar").last.click()

    assert page.locator("h1").inner_text() == "¿Quién necesita ayuda primero?"
    page.get_by_role("group", name="¿Alguien cuida solo o sola a niños pequeños?").get_by_label(
        "Rosa Elena Ramírez"
    ).check()
    screenshot(page, "register-5-es")
    page.get_by_role("button", name="Continuar").last.click()

    assert page.locator("h1").inner_text() == "Su consentimiento"
    assert "Al Otro Lado (demo) recibe su registro" in page.content()
    page.get_by_role("button", name="Enviar mi registro").click()
    assert "consentimiento" in " ".join(page.locator(".errorlist").all_inner_texts())
    page.get_by_label("Acepto que esta organización use esta información como se explica arriba.").check()
    screenshot(page, "register-6-es")
    page.get_by_role("button", name="Enviar mi registro").click()

    assert page.locator("h1").inner_text() == "Registro recibido"
    code = page.locator(".registration-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]", code)
    _no_sideways_scroll(page)
    screenshot(page, "register-done-es")
    household = household_for(code, "1988-11-07")
    assert household is not None and household.preferred_language == "es"
    assert Household.objects.count() == 1 and household.members.count() == 2
    context.close()
