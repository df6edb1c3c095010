"""Settings read from JSON in the environment fail with a message naming the variable."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("value", ["{not json", "[1, 2]"])
def test_a_malformed_json_setting_names_the_variable(value: str) -> None:
    env = {
        **os.environ,
        "REFUGIO_MODE": "test",
        "TWILIO_CONTENT_SIDS": value,
        "DJANGO_SETTINGS_MODULE": "refugio.settings",
    }
    out = subprocess.run([sys.executable, "-c", "import refugio.settings"], env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "ImproperlyConfigured: TWILIO_CONTENT_SIDS must be a JSON object" in out.stderr
