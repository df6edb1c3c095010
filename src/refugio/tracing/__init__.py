"""Family tracing across organisations, double-blind and consent-gated: a caseworker asks for a missing
relative; a broker compares the request with the records of households that consented to tracing, in every
organisation; each side learns only "a possible match at organisation X, strength S" until both caseworkers
confirm, the people concerned consent and, for a child, someone verifies; only then is the data shared."""
