"""The audit log as a Merkle tree with signed heads: proofs, sealing, verification and tampering."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from refugio.accounts.models import Role
from refugio.audit import merkle
from refugio.audit.models import AppendOnly, AuditEvent, TreeHead
from refugio.audit.services import (
    Actor,
    Touch,
    consistency_proof,
    event_leaf_hash,
    inclusion_proof,
    record,
    seal,
)
from refugio.audit.signing import head_bytes, key_id, signature_valid
from refugio.audit.verify import KeptHead, export_head, verify_log

from .conftest import World, pg_only
from .test_pages import signed_in

# ---------------------------------------------------------------- pure Merkle functions (no database)

# RFC 6962 test leaves and the roots Certificate Transparency and Trillian publish for them.
RFC_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
RFC_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
RFC_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
RFC_CONSISTENCY = {
    (1, 8): RFC_INCLUSION[(0, 8)],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
HASHED = [merkle.leaf_hash(bytes.fromhex(d)) for d in RFC_LEAVES]


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 word for word, with list slices: the yardstick for the property tests."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _reference_root(leaves[:k]) + _reference_root(leaves[k:])).digest()


def _leaves(n: int, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return [merkle.leaf_hash(rng.randbytes(rng.randrange(0, 40))) for _ in range(n)]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_published_rfc6962_vectors(size: int) -> None:
    assert merkle.root(HASHED[:size]).hex() == RFC_ROOTS[size]
    frontier = merkle.Frontier()
    frontier.extend(HASHED[:size])
    assert frontier.root().hex() == RFC_ROOTS[size]


@pytest.mark.parametrize(("index", "size"), sorted(RFC_INCLUSION))
def test_inclusion_proofs_match_the_published_vectors(index: int, size: int) -> None:
    proof = merkle.inclusion_proof(HASHED, index, size)
    assert [p.hex() for p in proof] == RFC_INCLUSION[(index, size)]
    assert merkle.verify_inclusion(HASHED[index], index, size, proof, bytes.fromhex(RFC_ROOTS[size]))


@pytest.mark.parametrize(("old", "new"), sorted(RFC_CONSISTENCY))
def test_consistency_proofs_match_the_published_vectors(old: int, new: int) -> None:
    proof = merkle.consistency_proof(HASHED, old, new)
    assert [p.hex() for p in proof] == RFC_CONSISTENCY[(old, new)]
    assert merkle.verify_consistency(old, new, bytes.fromhex(RFC_ROOTS[old]), bytes.fromhex(RFC_ROOTS[new]), proof)


@pytest.mark.parametrize("seed", range(6))
def test_root_and_frontier_agree_with_the_reference_for_random_sizes(seed: int) -> None:
    rng = random.Random(seed)
    for size in [rng.randrange(0, 300) for _ in range(15)] + [2 ** rng.randrange(0, 9)]:
        leaves = _leaves(size, seed)
        expected = _reference_root(leaves)
        assert merkle.root(leaves) == expected
        frontier = merkle.Frontier()
        for i, leaf in enumerate(leaves):
            frontier.append(leaf)
            if i % 17 == 0:  # restart from a stored frontier, as the sealer does
                frontier = merkle.Frontier(frontier.size, list(frontier.hashes))
        assert frontier.root() == expected
        assert len(frontier.hashes) == size.bit_count()


@pytest.mark.parametrize("seed", range(6))
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(seed: int) -> None:
    rng = random.Random(seed)
    for size in [1, 2, 3, *(rng.randrange(4, 130) for _ in range(6))]:
        leaves = _leaves(size, seed)
        root = _reference_root(leaves)
        for index in range(size):
            proof = merkle.inclusion_proof(leaves, index)
            assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
            other = rng.randrange(size)
            if other != index and leaves[other] != leaves[index]:
                assert not merkle.verify_inclusion(leaves[other], index, size, proof, root)
            if proof:
                bent = list(proof)
                k = rng.randrange(len(bent))
                bent[k] = bytes([bent[k][0] ^ 1]) + bent[k][1:]
                assert not merkle.verify_inclusion(leaves[index], index, size, bent, root)
                assert not merkle.verify_inclusion(leaves[index], index, size, proof[:-1], root)
        assert not merkle.verify_inclusion(leaves[0], size, size, [], root)


@pytest.mark.parametrize("seed", range(4))
def test_every_consistency_proof_verifies_and_a_wrong_one_does_not(seed: int) -> None:
    rng = random.Random(seed)
    leaves = _leaves(70, seed)
    roots = [_reference_root(leaves[:n]) for n in range(71)]
    for new in range(71):
        for old in range(new + 1):
            proof = merkle.consistency_proof(leaves, old, new)
            assert merkle.verify_consistency(old, new, roots[old], roots[new], proof), (old, new)
            if 0 < old < new:
                forged = bytes(32)
                assert not merkle.verify_consistency(old, new, forged, roots[new], proof)
                assert not merkle.verify_consistency(old, new, roots[old], forged, proof)
                assert not merkle.verify_consistency(old, new, roots[old], roots[new], proof[:-1])
                k = rng.randrange(len(proof))
                bent = [*proof[:k], bytes([proof[k][0] ^ 0x80]) + proof[k][1:], *proof[k + 1 :]]
                assert not merkle.verify_consistency(old, new, roots[old], roots[new], bent)
    # A tree whose first leaves differ is not an extension, whatever proof is offered.
    other = [merkle.leaf_hash(b"rewritten"), *leaves[1:]]
    for old, new in [(5, 9), (8, 20), (1, 70)]:
        proof = merkle.consistency_proof(other, old, new)
        assert not merkle.verify_consistency(old, new, roots[old], _reference_root(other[:new]), proof)


def test_the_merkle_module_does_not_import_django() -> None:
    source = Path(merkle.__file__).read_text()
    assert "django" not in source


# ---------------------------------------------------------------- the log in the database

SYSTEM = Actor(None, "system")


def _record(n: int, prefix: str = "h") -> None:
    for i in range(n):
        record(SYSTEM, action="read", touches=[Touch("household", f"{prefix}{i}", None, ["notes"])])


def _bypass_append_only_triggers() -> None:
    """What an attacker with database access could do; verify_audit must still notice."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
            cursor.execute("ALTER TABLE audit_treehead DISABLE TRIGGER audit_treehead_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_treehead_no_update")


def _kinds() -> set[str]:
    return {p.kind for p in verify_log().problems}


@pytest.fixture()
def sealed_log(db: None) -> list[AuditEvent]:
    """Twenty events sealed under three heads, the last head over all of them."""
    _record(7, "a")
    seal()
    _record(6, "b")
    seal()
    _record(7, "c")
    seal(batch_size=4)  # two heads: 17, then 20
    events = list(AuditEvent.objects.order_by("leaf_index"))
    assert verify_log().ok
    return events


def test_record_inserts_an_event_with_its_own_leaf_hash_and_no_position(db: None) -> None:
    record(
        Actor(None, "api", "2001:DB8::1"), action="update", touches=[Touch("person", "p1", 4, ["b", "a"])]
    )  # the address as the database will store it
    event = AuditEvent.objects.get()
    assert event.leaf_index is None
    assert event.ip_address == "2001:db8::1"
    assert event.hash == event_leaf_hash(event) == event_leaf_hash(AuditEvent.objects.get())
    assert event.fields == ["a", "b"]
    assert TreeHead.objects.count() == 0


def test_seal_places_events_in_id_order_and_signs_a_head_over_them(db: None) -> None:
    _record(12)
    result = seal()
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.leaf_index for e in events] == list(range(12))
    head = TreeHead.objects.get()
    assert (result.sealed, result.heads, result.size, head.size) == (12, 1, 12, 12)
    assert head.root_hash == _reference_root([bytes.fromhex(e.hash) for e in events]).hex()
    assert signature_valid(head.size, head.root_hash, head.timestamp_ms, head.key_id, head.signature)

    assert seal().heads == 0 and TreeHead.objects.count() == 1  # idempotent: nothing new, no new head
    _record(5, "x")
    assert seal(batch_size=2).heads == 3
    assert list(TreeHead.objects.values_list("size", flat=True)) == [12, 14, 16, 17]
    assert AuditEvent.objects.filter(leaf_index__isnull=True).count() == 0


def test_an_event_committed_late_with_a_smaller_id_is_still_sealed(db: None) -> None:
    _record(3)
    top = AuditEvent.objects.order_by("-id").first().id
    early = AuditEvent(
        id=top + 100,
        occurred_at=AuditEvent.objects.first().occurred_at,
        actor_name="x",
        action="read",
        object_type="t",
        object_id="early",
        fields=[],
        channel="system",
    )
    early.hash = event_leaf_hash(early)
    AuditEvent.objects.bulk_create([early])
    seal()
    late = AuditEvent(
        id=top + 50,
        occurred_at=early.occurred_at,
        actor_name="x",
        action="read",
        object_type="t",
        object_id="late",
        fields=[],
        channel="system",
    )
    late.hash = event_leaf_hash(late)
    AuditEvent.objects.bulk_create([late])  # its transaction committed after the sealer passed its id
    seal()
    assert AuditEvent.objects.get(object_id="late").leaf_index == 4  # after "early" (3): placed, not lost
    assert AuditEvent.objects.filter(leaf_index__isnull=True).count() == 0
    assert verify_log().ok


def test_inclusion_and_consistency_proofs_from_the_database_verify_against_signed_heads(
    sealed_log: list[AuditEvent],
) -> None:
    heads = list(TreeHead.objects.order_by("size"))
    assert [h.size for h in heads] == [7, 13, 17, 20]
    for old, new in zip(heads, heads[1:], strict=False):
        proof = [bytes.fromhex(p) for p in consistency_proof(old, new)]
        assert merkle.verify_consistency(
            old.size, new.size, bytes.fromhex(old.root_hash), bytes.fromhex(new.root_hash), proof
        )
    event = sealed_log[9]
    for head in heads[1:]:
        proof = [bytes.fromhex(p) for p in inclusion_proof(event, head)]
        assert merkle.verify_inclusion(
            bytes.fromhex(event.hash), event.leaf_index, head.size, proof, bytes.fromhex(head.root_hash)
        )
    with pytest.raises(ValueError):
        inclusion_proof(event, heads[0])  # position 9 is not in the tree of 7


def test_the_database_refuses_changes_except_the_sealers_one_write(db: None) -> None:
    _record(2)
    first, second = AuditEvent.objects.order_by("id")
    with pytest.raises(AppendOnly):
        first.save()
    with pytest.raises(AppendOnly):
        first.delete()
    with pytest.raises(DatabaseError), transaction.atomic():  # content with the position
        AuditEvent.objects.filter(pk=first.pk).update(leaf_index=0, actor_name="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=first.pk).update(actor_name="someone else")
    seal()
    with pytest.raises(DatabaseError), transaction.atomic():  # a position, once written, stays
        AuditEvent.objects.filter(pk=second.pk).update(leaf_index=7)
    head = TreeHead.objects.get()
    with pytest.raises(AppendOnly):
        head.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        TreeHead.objects.filter(pk=head.pk).update(root_hash="0" * 64)
    assert verify_log().ok


@pg_only()
def test_postgres_refuses_to_delete_events_and_heads(sealed_log: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=sealed_log[0].pk)._raw_delete(AuditEvent.objects.db)
    with pytest.raises(DatabaseError), transaction.atomic():
        TreeHead.objects.all()._raw_delete(TreeHead.objects.db)


def test_verify_detects_an_altered_event(sealed_log: list[AuditEvent]) -> None:
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(pk=sealed_log[4].pk).update(actor_name="nobody")
    problems = verify_log().problems
    assert (problems[0].kind, problems[0].event_id) == ("altered-event", sealed_log[4].id)
    assert {p.kind for p in problems[1:]} == {"root-mismatch"}  # and no head over position 4 matches
    assert len(problems) == 1 + 4


def test_verify_detects_an_altered_event_with_a_recomputed_leaf_hash(sealed_log: list[AuditEvent]) -> None:
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(pk=sealed_log[15].pk).update(fields=["nothing"])
    changed = AuditEvent.objects.get(pk=sealed_log[15].pk)
    AuditEvent.objects.filter(pk=changed.pk).update(hash=event_leaf_hash(changed))
    assert _kinds() == {"root-mismatch"}  # heads 17 and 20 no longer match; 7 and 13 still do
    assert len(verify_log().problems) == 2


def test_verify_detects_a_deleted_event(sealed_log: list[AuditEvent]) -> None:
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(pk=sealed_log[3].pk)._raw_delete(AuditEvent.objects.db)
    problems = verify_log().problems
    assert problems[0].kind == "missing-leaf" and problems[0].position == 3
    assert {p.kind for p in problems} == {"missing-leaf", "root-mismatch"}


def test_verify_detects_truncation_and_a_kept_head_detects_it_even_when_the_heads_go_too(
    sealed_log: list[AuditEvent],
) -> None:
    kept = KeptHead.from_json(json.dumps(export_head()))
    _bypass_append_only_triggers()
    AuditEvent.objects.filter(leaf_index__gte=15)._raw_delete(AuditEvent.objects.db)
    assert _kinds() == {"truncated"}  # heads of 17 and 20 cover events that are gone
    TreeHead.objects.filter(size__gt=15)._raw_delete(TreeHead.objects.db)
    seal()  # the attacker even signs a head over what is left (they hold the signing key)
    assert verify_log().ok  # the log is consistent with itself ...
    kinds = {p.kind for p in verify_log(kept=kept).problems}
    assert kinds == {"kept-head"}  # ... but not with the head a partner kept


def test_verify_detects_reordered_events(sealed_log: list[AuditEvent]) -> None:
    _bypass_append_only_triggers()
    a, b = sealed_log[1], sealed_log[2]
    AuditEvent.objects.filter(pk=a.pk).update(leaf_index=-1)
    AuditEvent.objects.filter(pk=b.pk).update(leaf_index=1)
    AuditEvent.objects.filter(pk=a.pk).update(leaf_index=2)
    assert _kinds() == {"root-mismatch"}
    assert len(verify_log().problems) == 4  # every head covers positions 1 and 2


def test_verify_detects_a_rewritten_head(sealed_log: list[AuditEvent]) -> None:
    _bypass_append_only_triggers()
    head = TreeHead.objects.get(size=13)
    TreeHead.objects.filter(pk=head.pk).update(root_hash=merkle.root([b"x" * 32]).hex())
    assert _kinds() == {"bad-signature", "root-mismatch"}


def test_verify_detects_a_head_signed_by_another_key(sealed_log: list[AuditEvent]) -> None:
    _bypass_append_only_triggers()
    head = TreeHead.objects.get(size=20)
    forger = Ed25519PrivateKey.generate()
    kid = key_id(forger.public_key())
    signature = forger.sign(head_bytes(head.size, head.root_hash, head.timestamp_ms, kid)).hex()
    TreeHead.objects.filter(pk=head.pk).update(key_id=kid, signature=signature)
    assert _kinds() == {"bad-signature"}


def test_a_kept_head_detects_a_rewritten_history_that_verifies_on_its_own(sealed_log: list[AuditEvent]) -> None:
    kept = KeptHead.from_json(json.dumps(export_head()))
    _bypass_append_only_triggers()
    victim = sealed_log[2]
    AuditEvent.objects.filter(pk=victim.pk).update(actor_name="someone else")
    AuditEvent.objects.filter(pk=victim.pk).update(hash=event_leaf_hash(AuditEvent.objects.get(pk=victim.pk)))
    TreeHead.objects.all()._raw_delete(TreeHead.objects.db)
    seal()  # a new, validly signed head over the rewritten history
    assert verify_log().ok
    assert {p.kind for p in verify_log(kept=kept).problems} == {"kept-head"}
    forged = KeptHead(kept.size, kept.root_hash, kept.timestamp_ms + 1, kept.key_id, kept.signature)
    assert any("not signed" in p.detail for p in verify_log(kept=forged).problems)


def test_commands_seal_export_and_verify_against_a_kept_head(db: None, tmp_path: Path) -> None:
    _record(5)
    out = io.StringIO()
    call_command("seal_audit", stdout=out)
    assert "sealed 5 events" in out.getvalue()
    out = io.StringIO()
    call_command("export_tree_head", stdout=out)
    kept = tmp_path / "head.json"
    kept.write_text(out.getvalue())
    exported = json.loads(out.getvalue())
    assert exported["size"] == 5
    # A partner can check the signature with the published key alone, without Refugio's code.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    partner_key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(exported["public_key"]))
    statement = {k: exported[k] for k in ("key_id", "log", "root_hash", "size", "timestamp_ms")}
    signed = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    partner_key.verify(bytes.fromhex(exported["signature"]), signed)  # raises if it does not match
    _record(3, "later")
    call_command("seal_audit", stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_audit", "--against", str(kept), stdout=out)
    assert "intact: 8 sealed events" in out.getvalue() and "kept head of size 5" in out.getvalue()

    _bypass_append_only_triggers()
    first = AuditEvent.objects.get(leaf_index=0)
    AuditEvent.objects.filter(pk=first.pk).update(object_id="elsewhere")
    AuditEvent.objects.filter(pk=first.pk).update(hash=event_leaf_hash(AuditEvent.objects.get(pk=first.pk)))
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", "--against", str(kept), stderr=err)
    assert exit_info.value.code == 1
    assert "history was rewritten" in err.getvalue()


def test_the_org_admin_audit_page_and_api_still_list_events(world: World) -> None:
    seal()
    page = signed_in(world.users[Role.ORG_ADMIN]).get("/audit/")
    assert page.status_code == 200 and b"household" in page.content
    items = world.client(Role.ORG_ADMIN).get("/api/v1/audit").json()["items"]
    assert items and all(len(item["hash"]) == 64 for item in items)


# ---------------------------------------------------------------- concurrency (PostgreSQL)


@pg_only()
@pytest.mark.django_db(transaction=True)
def test_writers_do_not_wait_for_each_other() -> None:
    """A writer whose transaction stays open does not hold up the next one (the old chain lock did)."""
    holding = threading.Event()
    release = threading.Event()
    done: list[str] = []

    def slow_writer() -> None:
        with transaction.atomic():
            _record(1, "slow")
            holding.set()
            release.wait(10)
        connection.close()

    def fast_writer() -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            _record(1, "fast")
        done.append("fast")
        connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert holding.wait(10)
    fast = threading.Thread(target=fast_writer)
    fast.start()
    fast.join(5)
    release.set()
    slow.join()
    assert done == ["fast"]
    assert AuditEvent.objects.count() == 2


@pg_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_two_sealers_make_one_consistent_log() -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(40):
                with transaction.atomic():
                    record(SYSTEM, action="read", touches=[Touch("household", f"{n}-{i}", None, ["x"])])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def sealer() -> None:
        try:
            for _ in range(15):
                seal(batch_size=7)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    threads += [threading.Thread(target=sealer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    seal()
    report = verify_log()
    assert report.ok and report.sealed == 240 and report.unsealed == 0
    positions = sorted(AuditEvent.objects.values_list("leaf_index", flat=True))
    assert positions == list(range(240))


# ---------------------------------------------------------------- migrating the old hash chain


def _migrate(target: list[tuple[str, str]]) -> object:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def _old_chain(apps: object, n: int, *, break_at: int | None = None) -> None:
    """Events as the old record() wrote them: each hash covers the one before it."""
    import datetime as dt

    from refugio.audit.migrations import __name__ as package

    old = __import__(f"{package}.0003_merkle_log", fromlist=["_old_digest"])
    Event = apps.get_model("audit", "AuditEvent")  # type: ignore[attr-defined]
    previous = "0" * 64
    for i in range(n):
        event = Event(
            occurred_at=dt.datetime(2026, 1, 1, 12, i, tzinfo=dt.UTC),
            actor_name="old",
            action="read",
            object_type="household",
            object_id=f"o{i}",
            fields=["notes"],
            channel="web",
            previous_hash=previous,
        )
        event.hash = old._old_digest(previous, event)
        if i == break_at:
            event.actor_name = "changed after hashing"
        Event.objects.bulk_create([event])
        previous = event.hash
    apps.get_model("audit", "ChainHead").objects.create(id=1, last_hash=previous)  # type: ignore[attr-defined]


def _empty_old_tables() -> None:
    with connection.cursor() as cursor:
        for table in ["audit_auditevent", "audit_chainhead"]:
            # TRUNCATE fires no row trigger on PostgreSQL; SQLite never had a delete trigger.
            cursor.execute(f"{'TRUNCATE' if connection.vendor == 'postgresql' else 'DELETE FROM'} {table}")


@pytest.mark.django_db(transaction=True)
def test_the_migration_places_the_old_chain_in_the_tree_and_refuses_a_broken_one() -> None:
    latest = [("audit", "0003_merkle_log")]
    before = [("audit", "0002_append_only")]
    try:
        _old_chain(_migrate(before), 4, break_at=2)
        with pytest.raises(RuntimeError, match="audit trail is broken"):
            _migrate(latest)
        _empty_old_tables()

        _old_chain(_migrate(before), 9)
        _migrate(latest)
        events = list(AuditEvent.objects.order_by("id"))
        assert [e.leaf_index for e in events] == list(range(9))
        assert all(e.hash == event_leaf_hash(e) for e in events)
        assert seal().size == 9 and seal().heads == 0  # the first run signs a head over them
        assert verify_log().ok
    finally:
        _migrate(latest)


# ---------------------------------------------------------------- the signing key


def test_the_signing_key_comes_from_the_keys_file_or_the_environment_and_production_needs_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import override_settings

    from refugio.audit import signing
    from refugio.keyring import MissingKeys, generate_keys, write_keys_file

    keys = generate_keys()
    write_keys_file(tmp_path / "keys.json", keys)
    expected = Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(str(keys["audit_signing_key"])))
    monkeypatch.delenv("REFUGIO_AUDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("REFUGIO_KEYS_FILE", raising=False)
    try:
        with override_settings(MODE="production"):
            signing.signing_key.cache_clear()
            with pytest.raises(MissingKeys):
                signing.signing_key()
            monkeypatch.setenv("REFUGIO_KEYS_FILE", str(tmp_path / "keys.json"))
            signing.signing_key.cache_clear()
            assert key_id(signing.signing_key().public_key()) == key_id(expected.public_key())
            monkeypatch.setenv("REFUGIO_AUDIT_SIGNING_KEY", "bm90IGEga2V5")
            signing.signing_key.cache_clear()
            with pytest.raises(MissingKeys, match="not base64 of 32 bytes"):
                signing.signing_key()
    finally:
        signing.signing_key.cache_clear()
