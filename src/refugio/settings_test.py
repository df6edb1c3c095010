"""Settings for the test suite: test mode, fixed throwaway keys."""

import os

os.environ["REFUGIO_MODE"] = "test"

from refugio.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests; never in production

