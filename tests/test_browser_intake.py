"""Offline intake in Chromium: register while offline, come back online, find the household stored once,
even when the browser sends it again because the first answer was lost."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from refugio.accounts.models import Organisation, Role
from refugio.people.models import Household, Person
from refugio.registration.models import IdempotencyRecord
from tests.browser import needs_chromium, screenshot
from tests.conftest import make_user


def _sign_in(page: object, base: str, device: TOTPDevice) -> None:
    page.goto(f"{base}/accounts/login/")  # type: ignore[attr-defined]
    page.fill("input[name=username]", "field-worker")  # type: ignore[attr-defined]
    page.fill("input[name=password]", "a-long-test-password")  # type: ignore[attr-defined]
    page.locator("form button[type=submit]").last.click()  # type: ignore[attr-defined]
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")  # type: ignore[attr-defined]
    page.locator("form button[type=submit]").last.click()  # type: ignore[attr-defined]


def _wait_until_sent(page: object) -> None:
    """Sync until the queue is empty, as the page does every 30 seconds and on reconnecting."""
    for _attempt in range(50):
        left = page.evaluate(  # type: ignore[attr-defined]
            "window.refugioIntake.sync().then(() => window.refugioIntake.outbox.all()).then(items => items.length)"
        )
        if left == 0:
            return
        page.wait_for_timeout(200)  # type: ignore[attr-defined]
    raise AssertionError("the queue was not sent")


@needs_chromium
def test_offline_intake_is_stored_exactly_once(transactional_db: object, live_server: object, chromium: object) -> None:
    org = Organisation.objects.create(name="Field Shelter", kind="shelter")
    user = make_user("field-worker", org, Role.CASEWORKER)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    base = live_server.url  # type: ignore[attr-defined]
    context = chromium.new_context(viewport={"width": 412, "height": 900}, locale="es-MX")  # type: ignore[attr-defined]
    page = context.new_page()
    _sign_in(page, base, device)
    page.goto(f"{base}/intake/")
    assert page.locator("h1").inner_text() == "Registro en persona"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # No connection: the page itself still opens (from the service worker) and the form is queued.
    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "Registro en persona"
    page.fill("#id_h-current_city", "Reynosa")
    page.fill("#id_m0-given_names", "Yolanda")
    page.fill("#id_m0-first_family_name", "Quispe")
    page.fill("#id_m0-date_of_birth", "1982-06")
    page.locator("details.member summary").first.click()
    page.wait_for_selector("#id_m1-given_names", state="visible")
    page.fill("#id_m1-given_names", "Tomás")
    page.fill("#id_m1-first_family_name", "Quispe")
    page.fill("#id_m1-date_of_birth", "2015")
    page.check("input[name=consent]")
    page.locator("#intake-form button[type=submit]").click()
    page.wait_for_selector("#outbox-list li")
    assert "Yolanda Quispe" in page.locator("#outbox-list").inner_text()
    screenshot(page, "intake-offline-queued")
    assert not Person.objects.filter(given_names="Yolanda").exists()
    assert page.evaluate("window.refugioIntake.outbox.all().then(items => items.length)") == 1

    # Keep a copy of the queued submission, as it stands before it is sent.
    page.evaluate("window.refugioIntake.outbox.all().then(items => { window.kept = items[0]; })")

    # Back online: the page sends its queue (on the "online" event, and every 30 seconds).
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_until_sent(page)
    assert Person.objects.filter(given_names="Yolanda").count() == 1

    # The answer was lost before the browser could forget the submission (say the tab was closed at that
    # moment): it is still queued and is sent again, with the same key.
    page.evaluate("window.refugioIntake.outbox.put(window.kept)")
    _wait_until_sent(page)
    page.wait_for_selector("#outbox-list li.sent")
    screenshot(page, "intake-sent")
    assert page.evaluate("window.refugioIntake.outbox.all().then(items => items.length)") == 0

    yolanda = Person.objects.get(given_names="Yolanda")
    household = yolanda.household
    assert household.owner_id == org.id and household.members.count() == 2
    assert Household.objects.filter(members__given_names="Yolanda").distinct().count() == 1
    assert IdempotencyRecord.objects.filter(household=household).count() == 1
    assert household.display_code in page.locator("#outbox-list").inner_text()
    assert "Sin conexión" not in page.locator("#outbox").inner_text()
    assert household.consents.filter(method="verbal").exists()
    context.close()
