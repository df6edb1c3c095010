"""Ids for the disclosure walk (tests/test_disclosure_walk.py), one module per app.

Each module defines `extend(user, own, foreign)`: it puts into `own` the ids of objects `user` may see and
into `foreign` ids of objects of the same kind `user` may not see, keyed by the URL parameter name
(e.g. "shelter_id"). A route whose parameters are all known is walked as the own and the foreign side."""
