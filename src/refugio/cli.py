"""The `refugio` command: demo, serve, manage, synth, keys, and the algorithm commands."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler


def _setup_django(mode: str | None = None) -> None:
    if mode:
        os.environ["REFUGIO_MODE"] = mode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refugio.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    from refugio.keyring import MissingKeys

    try:
        django.setup()
    except (MissingKeys, ImproperlyConfigured) as exc:
        sys.stderr.write(f"refugio: refusing to start: {exc}\n")
        sys.exit(3)


def _home() -> Path:
    return Path(os.environ.get("REFUGIO_HOME", "var")).resolve()


def _make_home() -> Path:
    """$REFUGIO_HOME, created readable by its owner only (it holds the demo's keys and database). A
    directory that already exists keeps the mode it was given."""
    home = _home()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home


def _demo(args: argparse.Namespace) -> int:
    home = _make_home()
    os.environ.pop("DATABASE_URL", None)  # the demo always uses its own SQLite file
    _setup_django("demo")
    from django.core.management import call_command

    from refugio.people.demo import DEMO_PASSWORD, USERS, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    counts = load_demo(args.households)
    print(f"Refugio demo in {home} (synthetic data only)")
    for name, count in counts.items():
        print(f"  {name}: {count} households")
    print(f"Users (password {DEMO_PASSWORD!r}): " + ", ".join(u for u, _, _ in USERS))
    if args.no_serve:
        return 0
    print(f"Serving on http://{args.host}:{args.port}/ (Ctrl+C to stop); a task worker runs beside it")
    from refugio.supervisor import serve

    # Deadline sweeps and e-mails run in background tasks; the demo runs their worker too.
    return serve(args.host, args.port, workers=2, task_worker=True)


def _run_gunicorn(host: str, port: int, workers: int, fd: int | None = None) -> int:
    """gunicorn in this process, on host:port or on the listening socket `fd` (from `refugio serve`)."""
    from gunicorn.app.base import BaseApplication

    from refugio.supervisor import worker_dies_with_master
    from refugio.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"fd://{fd}" if fd is not None else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("timeout", 60)
            # A worker whose master was killed stops at once instead of serving on, unsupervised.
            self.cfg.set("post_fork", worker_dies_with_master)
            # No control socket: it would be one shared path in $HOME for every server of the same user.
            self.cfg.set("control_socket_disable", True)
            # The access log shows the path only: query strings can carry names people searched for.
            self.cfg.set("accesslog", "-")
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms')
            # Secret URLs (calendar feeds) are masked in every field of it.
            self.cfg.set("logger_class", "refugio.log_redaction.AccessLogger")

        # gunicorn passes a dict environ; its stubs say MutableMapping, django-stubs' handler wants dict.
        def load(self) -> WSGIHandler:  # type: ignore[override]
            return application

    # Load every view now, once, so each worker forked (or re-forked after a crash) answers at once.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports, opens no database connection)
    Server().run()
    return 0


def _serve(args: argparse.Namespace) -> int:
    _setup_django()
    if args.listen_fd is not None:  # the gunicorn master, started by the supervisor below
        return _run_gunicorn(args.host, args.port, args.workers, fd=args.listen_fd)
    from django.core.management import call_command

    from refugio.supervisor import serve

    call_command("collectstatic", interactive=False, verbosity=0)  # WhiteNoise serves them, compressed
    # A small parent holds the port and restarts gunicorn (and the task worker) when they die.
    return serve(args.host, args.port, args.workers, task_worker=args.task_worker)


def _manage(argv: list[str]) -> int:
    # After `refugio demo`, `refugio manage …` works on the demo database without more set-up;
    # where keys are configured (production) they always win.
    if (
        "REFUGIO_MODE" not in os.environ
        and not os.environ.get("REFUGIO_KEYS_FILE")
        and not os.environ.get("REFUGIO_ENCRYPTION_KEYS")
    ):
        from refugio.keyring import demo_keys_path

        if demo_keys_path(_home()).exists():
            os.environ["REFUGIO_MODE"] = "demo"
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["refugio manage", *argv])
    return 0


def _synth(args: argparse.Namespace) -> int:
    from refugio.synth.generator import SynthHousehold, write_csv
    from refugio.synth.legal import LegalWriter
    from refugio.synth.planning import PlanWriter

    out = Path(args.out)
    legal = LegalWriter(out, args.seed, args.as_of) if args.attorneys else None
    planning = PlanWriter(out, args.seed, args.plan_ports, args.plan_days, args.as_of) if args.plan_ports else None
    writers = [w for w in (legal, planning) if w is not None]

    def also(household: SynthHousehold) -> None:
        for writer in writers:
            writer.add(household)

    households, people = write_csv(args.households, args.seed, out, args.as_of, also if writers else None)
    summary: dict[str, object] = {"households": households, "people": people, "out": str(out)}
    if legal:
        summary["cases"], summary["attorneys"] = legal.finish(args.attorneys)
    if planning:
        summary["plan_households"], summary["port_days"] = planning.finish()
    print(json.dumps(summary))
    return 0


def _peak_memory_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


def _match(args: argparse.Namespace) -> int:
    from refugio.legal.match_files import InputError, read_attorneys, read_cases, write_matches
    from refugio.legal.matching import match

    try:
        cases = read_cases(Path(args.cases))
        attorneys = read_attorneys(Path(args.attorneys))
    except InputError as exc:
        sys.stderr.write(f"refugio match: {exc}\n")
        return 2
    result = match(cases, attorneys)
    write_matches(Path(args.out), result.matches)
    print(
        json.dumps(
            {
                "cases": len(cases),
                "attorneys": len(attorneys),
                "matched": len(result.matches),
                "total_weight": result.total_weight,
                "optimal": True,
                "seconds": round(result.seconds, 3),
                "peak_memory_mb": _peak_memory_mb(),
                **result.stats,
            }
        )
    )
    return 0


def _plan(args: argparse.Namespace) -> int:
    from refugio.input_files import InputError
    from refugio.planning.plan_files import read_capacity, read_households, write_plan
    from refugio.planning.planner import Capacity, plan

    if not 0 <= args.fifo_share <= 1:
        sys.stderr.write("refugio plan: --fifo-share must be between 0 and 1\n")
        return 2
    try:
        households = read_households(Path(args.households))
        capacity = read_capacity(Path(args.capacity))
    except InputError as exc:
        sys.stderr.write(f"refugio plan: {exc}\n")
        return 2
    result = plan(households, Capacity(capacity), fifo_share=args.fifo_share)
    write_plan(Path(args.out), result.placements)
    summary = result.summary()
    # One pass, no anytime search: a time limit can only be reported as exceeded, never cut the plan short.
    if args.time_limit is not None:
        summary["time_limit"] = args.time_limit
        summary["time_limit_exceeded"] = result.seconds > args.time_limit
    summary["peak_memory_mb"] = _peak_memory_mb()
    print(json.dumps(summary))
    return 0


def _place(args: argparse.Namespace) -> int:
    from refugio.input_files import InputError
    from refugio.placement.optimizer import Infeasible, place
    from refugio.placement.placement_files import (
        check_ties,
        read_cases,
        read_destinations,
        read_scores,
        write_placement,
    )

    try:
        cases = read_cases(Path(args.cases))
        destinations = read_destinations(Path(args.destinations))
        check_ties(Path(args.cases), cases, destinations)
        scores = read_scores(Path(args.scores), cases, destinations)
    except InputError as exc:
        sys.stderr.write(f"refugio place: {exc}\n")
        return 2
    try:
        result = place(cases, destinations, scores, time_limit_seconds=args.time_limit)
    except Infeasible as exc:
        sys.stderr.write(f"refugio place: infeasible ({exc.constraint}): {exc.message}\n")
        return 2
    write_placement(Path(args.out), cases, result.assignment)
    summary = {
        "cases": len(cases),
        "destinations": len(destinations),
        "objective": round(result.objective, 6),
        "bound": round(result.bound, 6),
        "gap": round(result.gap, 6),
        "seconds": round(result.seconds, 3),
        "peak_memory_mb": _peak_memory_mb(),
    }
    print(json.dumps(summary))
    return 0


def _keys(args: argparse.Namespace) -> int:
    from refugio.keyring import generate_keys, write_keys_file

    if args.action == "rotate-audit":
        return _rotate_audit_key(args)
    if not args.out:
        sys.stderr.write("refugio: keys generate needs --out FILE\n")
        return 2
    try:
        write_keys_file(Path(args.out), generate_keys())
    except FileExistsError:
        sys.stderr.write(f"refugio: {args.out} exists; not overwriting keys\n")
        return 2
    print(f"wrote new keys to {args.out} (mode 600); set REFUGIO_KEYS_FILE={args.out}")
    return 0


def _link(args: argparse.Namespace) -> int:
    """Probabilistic linkage of one file (deduplication) or two (linkage); no database, no settings."""
    from refugio.linkage.engine import DEFAULT_THRESHOLD, run_linkage
    from refugio.linkage.files import LinkFileError, further_columns, read_people, write_pairs

    extra = [c.strip() for c in (args.extra or "").split(",") if c.strip()]
    try:
        left = read_people(Path(args.left), args.id, extra)
        right = read_people(Path(args.right), args.id, extra) if args.right else None
        if right is not None and further_columns(Path(args.left), extra) != further_columns(Path(args.right), extra):
            raise LinkFileError("the two files must both have (or both lack) place_of_birth and the --extra columns")
        result = run_linkage(left, right, threshold=args.threshold or DEFAULT_THRESHOLD)
    except (LinkFileError, OSError) as exc:
        sys.stderr.write(f"refugio link: {exc}\n")
        return 2
    matches = write_pairs(Path(args.out), result.pairs)
    summary = {
        "records": result.records,
        "candidate_pairs": result.candidate_pairs,
        "matches": matches,
        "seconds": round(result.seconds, 3),
        "peak_memory_mb": _peak_memory_mb(),
    }
    print(json.dumps(summary))
    return 0


def _rotate_audit_key(args: argparse.Namespace) -> int:
    from refugio.audit.signing import rotate_signing_key

    path = Path(args.file or os.environ.get("REFUGIO_KEYS_FILE", ""))
    if not path.is_file():
        sys.stderr.write("refugio: keys rotate-audit needs --file KEYS (or REFUGIO_KEYS_FILE)\n")
        return 2
    old, new = rotate_signing_key(path)
    print(
        f"audit signing key {old} replaced by {new} in {path}; its public key is kept in audit_verify_keys. "
        "Seal and export a head now (refugio manage seal_audit; refugio manage export_tree_head), then restart."
    )
    return 0


def _check_audit_proof(args: argparse.Namespace) -> int:
    """Offline: no database, no settings; the proof file and the log's public key(s) only."""
    from refugio.audit.proof_files import check_proof, decode_public_key, key_id

    keys = {key_id(k): k for k in (decode_public_key(text) for text in args.public_key)}
    document = json.loads(Path(args.proof).read_text())
    kept = json.loads(Path(args.kept).read_text()) if args.kept else None
    problems = check_proof(document, keys, kept)
    if problems:
        for problem in problems:
            sys.stderr.write(f"{problem}\n")
        sys.stderr.write("proof NOT valid\n")
        return 1
    head = document["head"]
    what = f"event at position {document.get('index')} is in" if document["kind"] == "inclusion" else "log extends"
    print(f"proof valid: the {what} the signed tree of {head['size']} events (key {head['key_id']})")
    return 0


def _backup(args: argparse.Namespace) -> int:
    _setup_django()
    from django.db import connections

    from refugio.backup import BackupError, backup, restore

    settings_dict = connections["default"].settings_dict
    try:
        if args.command == "backup":
            engine = backup(settings_dict, Path(args.out))
            print(f"wrote a {engine} backup to {args.out}; keep REFUGIO_KEYS_FILE apart from it (docs/operations.md)")
        else:
            engine = restore(Path(args.backup), settings_dict)
            print(f"restored {args.backup} into the {engine} database; then run `refugio manage verify_audit`")
    except BackupError as exc:
        sys.stderr.write(f"refugio: {exc}\n")
        return 2
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="refugio", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="migrate, load synthetic demo data, serve on 127.0.0.1:8000")
    demo.add_argument("--no-serve", action="store_true")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--households", type=int, default=220, help="per organisation")
    demo.set_defaults(func=_demo)

    serve = sub.add_parser("serve", help="serve with gunicorn on the configured database")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2 + 1))
    serve.add_argument("--task-worker", action="store_true", help="also run and restart `manage task_worker`")
    serve.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)  # set by the supervisor
    serve.set_defaults(func=_serve)

    sub.add_parser("manage", help="Django's manage.py", add_help=False)
    sub.add_parser(
        "stats", help="stats publish [--period 2026-W48 | --from D --to D]: public statistics", add_help=False
    )

    synth = sub.add_parser("synth", help="write synthetic households.csv and people.csv")
    synth.add_argument("--households", type=int, required=True)
    synth.add_argument("--seed", type=int, required=True)
    synth.add_argument("--out", required=True)
    synth.add_argument("--as-of", type=_date, default=None, help="reference date (default 2026-11-01)")
    synth.add_argument("--attorneys", type=int, default=0, help="also write cases.csv and attorneys.csv")
    synth.add_argument("--plan-ports", type=int, default=0, help="also write plan_households.csv and plan_capacity.csv")
    synth.add_argument("--plan-days", type=int, default=180, help="days of port capacity for --plan-ports")
    synth.set_defaults(func=_synth)

    matcher = sub.add_parser("match", help="match cases to attorneys (optimal, min-cost flow)")
    matcher.add_argument("--cases", required=True)
    matcher.add_argument("--attorneys", required=True)
    matcher.add_argument("--out", required=True)
    matcher.set_defaults(func=_match)

    planner = sub.add_parser("plan", help="plan phased entry: households to (port, day) within capacity")
    planner.add_argument("--households", required=True, help="H.csv")
    planner.add_argument("--capacity", required=True, help="C.csv")
    planner.add_argument("--out", required=True, help="plan.csv")
    planner.add_argument("--fifo-share", type=float, default=0.25, help="share of each port-day in registration order")
    planner.add_argument("--time-limit", type=float, default=None, help="seconds; reported if exceeded")
    planner.set_defaults(func=_plan)

    placer = sub.add_parser("place", help="place cases at destinations (capacity, needs, family ties, scores)")
    placer.add_argument("--cases", required=True, help="cases.csv")
    placer.add_argument("--destinations", required=True, help="destinations.csv")
    placer.add_argument("--scores", required=True, help="scores.csv")
    placer.add_argument("--out", required=True, help="placement.csv")
    placer.add_argument("--time-limit", type=float, default=None, help="seconds")
    placer.set_defaults(func=_place)

    linker = sub.add_parser("link", help="find the same people in one CSV file (duplicates) or across two")
    linker.add_argument("left", help="a CSV file of people")
    linker.add_argument("right", nargs="?", help="a second CSV file; without it the first is deduplicated")
    linker.add_argument("--id", required=True, help="the column that identifies a row (unique in each file)")
    linker.add_argument("--out", required=True, help="pairs.csv: left_id,right_id,match_probability")
    linker.add_argument("--extra", help="further columns compared as strings, comma-separated (address, postcode…)")
    linker.add_argument(
        "--threshold", type=float, default=None, help="match probability (default 0.5: more likely a match than not)"
    )
    linker.set_defaults(func=_link)

    keys = sub.add_parser("keys", help="generate a keys file for production, or rotate its audit signing key")
    keys.add_argument("action", choices=["generate", "rotate-audit"])
    keys.add_argument("--out", help="generate: the keys file to write (never overwritten)")
    keys.add_argument("--file", help="rotate-audit: the keys file to change (default $REFUGIO_KEYS_FILE)")
    keys.set_defaults(func=_keys)

    proof = sub.add_parser("check-audit-proof", help="check an audit proof offline with the log's public key(s)")
    proof.add_argument("proof", help="a file printed by `refugio manage audit_proof`")
    proof.add_argument("--public-key", action="append", required=True, help="hex or base64; repeat after a rotation")
    proof.add_argument("--kept", help="for a consistency proof: the head you kept (export_tree_head's file)")
    proof.set_defaults(func=_check_audit_proof)

    backup = sub.add_parser("backup", help="a consistent copy of the database while it runs (not the keys)")
    backup.add_argument("--out", required=True, help="the backup file to write (never overwritten)")
    backup.set_defaults(func=_backup)
    restore = sub.add_parser("restore", help="restore a backup into a new SQLite file or an empty PostgreSQL database")
    restore.add_argument("--backup", required=True, help="a file written by `refugio backup`")
    restore.set_defaults(func=_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return _manage(argv[1:])
    if argv[:2] == ["stats", "publish"]:  # a release of the public statistics (docs/transparency.md)
        return _manage(["publish_statistics", *argv[2:]])
    args = build_parser().parse_args(argv)
    if getattr(args, "as_of", "unset") is None:
        from refugio.synth.generator import DEFAULT_AS_OF

        args.as_of = DEFAULT_AS_OF
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
