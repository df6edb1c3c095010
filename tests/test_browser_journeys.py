"""A single traveller registers in Spanish on a small phone (360×640) with JavaScript off, from the front page
(issue 12): "Continuar" with the blank member form goes on, and "Atrás" on step 3 keeps what was typed."""

from __future__ import annotations

from refugio.accounts.models import Organisation
from refugio.people.models import Household
from refugio.registration.selectors import household_for
from tests.browser import needs_chromium, screenshot

PHONE = {"width": 360, "height": 640}


def _no_sideways_scroll(page: object) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # type: ignore[attr-defined]


def _continue(page: object) -> None:
    page.get_by_role("button", name="Continuar").last.click()  # type: ignore[attr-defined]


@needs_chromium
def test_a_single_traveller_registers_in_spanish_without_javascript(
    transactional_db: object,
    live_server: object,
    chromium: object,
) -> None:
    Organisation.objects.create(name="Al Otro Lado (demo)", kind="legal_aid", public_intake=True)
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport=PHONE, java_script_enabled=False, locale="es-MX", extra_http_headers={"Accept-Language": "es-MX"}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Registrarse para pedir asilo"
    assert page.locator('a[href="/status/?lang=es"]').is_visible()
    _no_sideways_scroll(page)
    screenshot(page, "landing-es")
    page.locator('a[href="/register/?lang=es"]').click()

    assert page.get_by_text("Paso 1 de 6").is_visible()
    page.get_by_label("Nombres").fill("Rosa Elena")
    page.get_by_label("Primer apellido").fill("Ramírez")
    page.get_by_label("Día de nacimiento").fill("7")
    page.get_by_label("Mes de nacimiento").select_option("11")
    page.get_by_label("Año de nacimiento").fill("1988")
    _continue(page)

    # Alone: "Continuar" with the blank form for another person.
    assert page.locator("h1").inner_text() == "¿Quién está con usted?"
    _continue(page)
    assert page.locator("h1").inner_text() == "¿Dónde está ahora?", page.content()
    page.get_by_label("¿En qué ciudad de México está ahora?").fill("Tijuana")
    _continue(page)

    # Step 4, then back to step 3 and to step 2: what was typed is still there.
    assert page.locator("h1").inner_text() == "Caso en la corte"
    page.get_by_role("button", name="Atrás").click()
    assert page.locator("h1").inner_text() == "¿Dónde está ahora?"
    assert page.get_by_label("¿En qué ciudad de México está ahora?").input_value() == "Tijuana"
    page.get_by_role("button", name="Atrás").click()
    assert page.locator("h1").inner_text() == "¿Quién está con usted?"
    _no_sideways_scroll(page)
    _continue(page)
    assert page.get_by_label("¿En qué ciudad de México está ahora?").input_value() == "Tijuana"
    _continue(page)
    assert page.locator("h1").inner_text() == "Caso en la corte"
    _continue(page)
    assert page.locator("h1").inner_text() == "¿Quién necesita ayuda primero?"
    _continue(page)

    assert page.locator("h1").inner_text() == "Su consentimiento"
    page.get_by_label("Acepto que esta organización use esta información como se explica arriba.").check()
    page.get_by_role("button", name="Enviar mi registro").click()

    assert page.locator("h1").inner_text() == "Registro recibido"
    code = page.locator(".registration-code").inner_text()
    _no_sideways_scroll(page)
    household = household_for(code, "1988-11-07")
    assert household is not None and Household.objects.count() == 1
    assert list(household.members.values_list("given_names", flat=True)) == ["Rosa Elena"]

    # The status page asks the date of birth with the same boxes.
    page.goto(f"{live_server.url}/status/?lang=es")  # type: ignore[attr-defined]
    page.get_by_label("Código de registro").fill(code)
    page.get_by_label("Día de nacimiento").fill("7")
    page.get_by_label("Mes de nacimiento").select_option("11")
    page.get_by_label("Año de nacimiento").fill("1988")
    page.get_by_role("button", name="Consultar").click()
    assert page.locator("[role=status] h2").inner_text() == "Registrada"
    screenshot(page, "status-es")
    _no_sideways_scroll(page)
    context.close()
