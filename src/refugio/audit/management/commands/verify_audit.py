from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from refugio.audit.proof_files import decode_public_key
from refugio.audit.verify import KeptHead, verify_log


class Command(BaseCommand):
    help = (
        "Check the audit log: every sealed event against its leaf hash, every signed tree head against the "
        "events, and (with --against) a tree head kept outside. Exit 0 when intact, 1 with the problems when not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--against", metavar="FILE", help="a head printed earlier by export_tree_head")
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            metavar="KEY",
            help="a trusted audit public key (hex or base64); repeat for earlier keys. No private key is needed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        kept = KeptHead.from_json(Path(options["against"]).read_text()) if options["against"] else None
        report = verify_log(kept=kept, public_keys=[decode_public_key(k) for k in options["public_key"]])
        if report.ok:
            against = f"; consistent with the kept head of size {kept.size}" if kept else ""
            self.stdout.write(
                f"audit log intact: {report.sealed} sealed events, {report.heads} signed tree heads, "
                f"{report.unsealed} events not sealed yet{against}"
            )
            return
        for problem in report.problems:
            where = f" (event {problem.event_id}, position {problem.position})" if problem.event_id else ""
            self.stderr.write(f"{problem.kind}: {problem.detail}{where}")
        if report.more_problems:
            self.stderr.write(f"... and {report.more_problems} more problems")
        self.stderr.write(f"audit log NOT intact: {len(report.problems) + report.more_problems} problems")
        sys.exit(1)
