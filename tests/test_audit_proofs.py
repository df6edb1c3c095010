"""Proofs for partners (checked offline with the public key alone) and rotation of the audit signing key."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import override_settings

from refugio.audit import signing
from refugio.audit.models import AuditEvent
from refugio.audit.proof_files import check_proof, decode_public_key, key_id
from refugio.audit.services import seal
from refugio.audit.verify import export_head, verify_log
from refugio.cli import main as refugio
from refugio.keyring import MissingKeys, generate_keys, write_keys_file

from .test_audit_log import _bypass_append_only_triggers, _record


def _public_hex() -> str:
    return signing.public_bytes(signing.verify_key()).hex()


def _keys() -> dict:
    key = decode_public_key(_public_hex())
    return {key_id(key): key}


def _proof(*args: str) -> dict:
    out = io.StringIO()
    call_command("audit_proof", *args, stdout=out)
    return json.loads(out.getvalue())


def test_an_inclusion_proof_checks_offline_and_a_doctored_one_does_not(db: None) -> None:
    _record(9, "p")
    seal()
    event = AuditEvent.objects.get(leaf_index=4)
    document = _proof("--event", str(event.id), "--with-event")
    assert document["index"] == 4 and document["head"]["size"] == 9
    assert check_proof(document, _keys()) == []
    # Without the event's content the partner still checks the leaf hash's place in the signed tree.
    assert check_proof(_proof("--event", str(event.id)), _keys()) == []

    changed = json.loads(json.dumps(document))
    changed["event"]["actor_name"] = "someone else"
    assert check_proof(changed, _keys()) == ["the event's content does not give its leaf hash"]
    moved = json.loads(json.dumps(document))
    moved["index"] = 5
    assert check_proof(moved, _keys()) == ["the event is not in the tree of that head"]
    other = Ed25519PrivateKey.generate().public_key()
    assert "not signed by a trusted key" in check_proof(document, {key_id(other): other})[0]


def test_a_consistency_proof_shows_the_log_extends_a_kept_head_and_fails_after_a_rewrite(
    db: None, tmp_path: Path
) -> None:
    _record(5, "a")
    seal()
    kept = tmp_path / "head.json"
    kept.write_text(json.dumps(export_head()))
    _record(6, "b")
    seal()
    document = _proof("--since", str(kept))
    assert document["old_head"]["size"] == 5 and document["head"]["size"] == 11
    assert check_proof(document, _keys(), json.loads(kept.read_text())) == []

    # Someone with the database and the key rewrites an early event and re-signs every head over it.
    _bypass_append_only_triggers()
    from refugio.audit.models import TreeHead
    from refugio.audit.services import event_leaf_hash

    first = AuditEvent.objects.get(leaf_index=0)
    AuditEvent.objects.filter(pk=first.pk).update(object_id="elsewhere")
    AuditEvent.objects.filter(pk=first.pk).update(hash=event_leaf_hash(AuditEvent.objects.get(pk=first.pk)))
    TreeHead.objects.all()._raw_delete(TreeHead.objects.db)
    seal()
    rewritten = _proof("--since", str(kept))
    assert check_proof(rewritten, _keys(), json.loads(kept.read_text())) == [
        "the log does not extend the earlier head: history was rewritten or cut"
    ]


def test_the_offline_command_needs_only_the_proof_and_the_public_key(db: None, tmp_path: Path, capsys) -> None:
    _record(3, "c")
    seal()
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(_proof("--event", str(AuditEvent.objects.get(leaf_index=2).id))))
    assert refugio(["check-audit-proof", str(proof), "--public-key", _public_hex()]) == 0
    assert "proof valid" in capsys.readouterr().out
    wrong = Ed25519PrivateKey.generate().public_key()
    assert refugio(["check-audit-proof", str(proof), "--public-key", signing.encode_public_key(wrong)]) == 1
    assert "NOT valid" in capsys.readouterr().err


def test_after_a_rotation_old_heads_verify_with_the_kept_public_key_and_new_heads_with_the_new_key(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(4, "old")
    seal()
    old_public = signing.encode_public_key(signing.verify_key())
    new_key = Ed25519PrivateKey.generate()
    monkeypatch.setattr(signing, "signing_key", lambda: new_key)
    monkeypatch.delenv("REFUGIO_AUDIT_VERIFY_KEYS", raising=False)
    _record(3, "new")
    seal()
    # Without the old public key, the heads it signed are not trusted.
    assert {p.kind for p in verify_log().problems} == {"bad-signature"}
    monkeypatch.setenv("REFUGIO_AUDIT_VERIFY_KEYS", old_public)
    report = verify_log()
    assert report.ok and report.heads == 2 and report.sealed == 7


def test_verification_needs_no_private_key(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _record(4, "v")
    seal()
    public = signing.verify_key()

    def no_private_key() -> Ed25519PrivateKey:
        raise MissingKeys("no audit signing key on this machine")

    monkeypatch.setattr(signing, "signing_key", no_private_key)
    monkeypatch.delenv("REFUGIO_AUDIT_VERIFY_KEYS", raising=False)
    monkeypatch.delenv("REFUGIO_KEYS_FILE", raising=False)
    with pytest.raises(MissingKeys):
        verify_log()
    assert verify_log(public_keys=[public]).ok
    monkeypatch.setenv("REFUGIO_AUDIT_VERIFY_KEYS", signing.encode_public_key(public))
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit log intact: 4 sealed events" in out.getvalue()


def test_rotating_the_key_in_a_keys_file_keeps_the_old_public_key_and_the_file_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    path = tmp_path / "keys.json"
    write_keys_file(path, generate_keys())
    before = json.loads(path.read_text())
    assert refugio(["keys", "rotate-audit", "--file", str(path)]) == 0
    after = json.loads(path.read_text())
    assert after["audit_signing_key"] != before["audit_signing_key"]
    assert after["encryption_keys"] == before["encryption_keys"] and after["index_key"] == before["index_key"]
    old_public = signing._decode(before["audit_signing_key"], "before").public_key()
    assert after["audit_verify_keys"] == [signing.encode_public_key(old_public)]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "replaced by" in capsys.readouterr().out
    # The keys file's verify keys are trusted in production, next to the new signing key.
    monkeypatch.setenv("REFUGIO_KEYS_FILE", str(path))
    monkeypatch.delenv("REFUGIO_AUDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("REFUGIO_AUDIT_VERIFY_KEYS", raising=False)
    try:
        with override_settings(MODE="production"):
            signing.signing_key.cache_clear()
            trusted = signing.trusted_keys()
            assert key_id(old_public) in trusted and key_id(signing.verify_key()) in trusted
    finally:
        signing.signing_key.cache_clear()
