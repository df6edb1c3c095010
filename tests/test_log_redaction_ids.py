"""Object ids stay readable in logs; the personal data around them does not."""

from refugio.log_redaction import redact


def test_a_uuid_is_kept_whole_and_a_phone_beside_it_is_masked() -> None:
    line = "merge 550e8400-e29b-41d4-a716-446655440000 failed; call +52 664 555 0199"
    line += " (hex 9f1c2e3d4b5a69788796a5b4c3d2e1f0)"
    out = redact(line)
    assert "550e8400-e29b-41d4-a716-446655440000" in out
    assert "9f1c2e3d4b5a69788796a5b4c3d2e1f0" in out
    assert "664 555 0199" not in out and "[phone]" in out


def test_a_phone_number_written_like_an_id_segment_is_still_masked() -> None:
    assert redact("phone 446655440000") == "phone [phone]"
    # A NUL in the input cannot smuggle a placeholder that would restore something unredacted.
    assert "A208555123" not in redact("\x000\x00 A208555123 550e8400-e29b-41d4-a716-446655440000")
