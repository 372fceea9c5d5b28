"""`cme ctf inspect|import|export`: Common Transfer Files from the command line.

- `inspect FILE`: what a CTF holds, as JSON, without importing it. Exit status 0 when the file
  was read (per-pupil problems are listed under "errors"), 2 with a one-line reason on standard
  error when it is refused (not XML, a DTD or entity, too large, not a CTF).
- `import FILE --authority CODE --user EMAIL [--dry-run]`: store and import the file for the
  authority, as the upload page does (the same file twice changes nothing). `--dry-run` prints
  what the import would do and changes nothing at all.
- `export --case REF --dest LEA/ESTAB|unknown|abroad --user EMAIL --out FILE [--grant ID]`:
  write the case's CTF, as the case's export page does; a restricted child's needs a manager's
  grant (its id), and is written without location.

The import and the export run as the named user, under the same rules as the pages. Refusals
exit 2 with one line on standard error.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand

from cme.accounts.models import Authority, Role, User
from cme.cases.selectors import cases_visible_to
from cme.transfers import exports, services
from cme.transfers.ctf import run_inspect
from cme.transfers.models import MAX_UPLOAD_BYTES, Channel, PupilOutcome


class Refused(Exception):
    pass


class Command(BaseCommand):
    help = "Common Transfer Files: cme ctf inspect|import|export"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        inspect = actions.add_parser("inspect", help="print what a CTF holds, as JSON")
        inspect.add_argument("file", type=Path)
        load = actions.add_parser("import", help="import a CTF for an authority")
        load.add_argument("file", type=Path)
        load.add_argument("--authority", required=True, help="the authority's LA code")
        load.add_argument("--user", required=True, help="the email of the user importing")
        load.add_argument("--dry-run", action="store_true", help="show what would happen")
        export = actions.add_parser("export", help="write a case's CTF")
        export.add_argument("--case", required=True, help="the case reference")
        export.add_argument("--dest", required=True, help="LEA/ESTAB, unknown or abroad")
        export.add_argument("--user", required=True, help="the email of the user exporting")
        export.add_argument("--out", required=True, type=Path, help="where to write the XML")
        export.add_argument("--grant", type=int, help="a manager's export grant, by id")

    def handle(self, *args: Any, **options: Any) -> None:
        # The JSON is written in pieces: no line ending may be added to each.
        self.stdout.ending = self.stderr.ending = ""
        # OutputWrapper is a text stream (TextIOBase) that django-stubs does not call one.
        out, err = cast(TextIO, self.stdout), cast(TextIO, self.stderr)
        action = options["action"]
        if action == "inspect":
            status = run_inspect(options["file"], out, err)
        else:
            try:
                if action == "import":
                    self._import(options, out)
                else:
                    self._export(options, out)
                status = 0
            except (Refused, services.TransferRefused) as refused:
                err.write(f"{refused}\n")
                status = 2
        if status:
            raise SystemExit(status)

    def _user(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None or user.membership is None:
            raise Refused("no active user with that email")
        return user

    def _import(self, options: dict[str, Any], out: TextIO) -> None:
        user = self._user(options["user"])
        authority = Authority.objects.filter(la_code=options["authority"]).first()
        membership = user.membership
        assert membership is not None
        if authority is None:
            raise Refused("no authority with that LA code")
        if membership.authority_id != authority.pk or not user.has_perm("transfers.upload_ctf"):
            raise Refused("that user may not import CTFs for that authority")
        path: Path = options["file"]
        try:
            if path.stat().st_size > MAX_UPLOAD_BYTES:
                raise Refused(f"larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
            content = path.read_bytes()
        except OSError as error:
            raise Refused(f"cannot open the file ({error.strerror or 'unreadable'})") from None
        school = membership.establishment if membership.role == Role.SCHOOL_USER else None
        if options["dry_run"]:
            self._dry_run(user, authority, content, school, out)
            return
        stored = services.ctf_upload_store(
            actor=user,
            authority=authority,
            establishment=school,
            content=content,
            channel=Channel.COMMAND,
        )
        summary = services.ctf_import(actor=user, upload=stored.upload)
        json.dump(
            {
                "upload": stored.upload.reference,
                "already_imported": summary.already_imported,
                "pupils": summary.pupils,
                "matched": summary.matched,
                "created": summary.created,
                "skipped": summary.skipped,
                "cases_opened": summary.cases_opened,
                "errors": stored.upload.errors,
            },
            out,
            indent=2,
        )
        out.write("\n")

    def _dry_run(
        self, user: User, authority: Authority, content: bytes, school: Any, out: TextIO
    ) -> None:
        from django.db import transaction

        # Stored and previewed inside a transaction that is always undone: nothing is kept.
        with transaction.atomic():
            stored = services.ctf_upload_store(
                actor=user,
                authority=authority,
                establishment=school,
                content=content,
                channel=Channel.COMMAND,
            )
            preview = services.ctf_preview(upload=stored.upload)
            matched = (PupilOutcome.MATCHED_UPN, PupilOutcome.MATCHED_ENGINE)
            result = {
                "dry_run": True,
                "already_imported": stored.upload.is_imported,
                "pupils": len(preview.plans),
                "matched": sum(1 for p in preview.plans if p.outcome in matched),
                "created": sum(1 for p in preview.plans if p.outcome == PupilOutcome.CREATED),
                "skipped": sum(1 for p in preview.plans if p.outcome == PupilOutcome.SKIPPED),
                "cases_opened": sum(1 for p in preview.plans if p.opens_case),
                "errors": preview.ctf.errors,
            }
            transaction.set_rollback(True)
        json.dump(result, out, indent=2)
        out.write("\n")

    def _export(self, options: dict[str, Any], out: TextIO) -> None:
        user = self._user(options["user"])
        case = cases_visible_to(user).filter(reference=options["case"]).first()
        if case is None:
            raise Refused("no case with that reference that this user may see")
        if not user.has_perm("transfers.export_ctf", case):
            raise Refused("that user may not send CTFs from this case")
        dest = options["dest"].strip()
        if dest in ("unknown", "abroad"):
            lea, estab = exports.destination_codes(dest)
        else:
            lea, _, estab = dest.partition("/")
            lea, estab = exports.destination_codes("known", lea, estab)
        exported = exports.ctf_export(
            actor=user,
            case=case,
            dest_lea=lea,
            dest_estab=estab,
            grant_id=options["grant"],
            channel=Channel.COMMAND,
        )
        try:
            options["out"].write_bytes(exported.content)
        except OSError as error:
            raise Refused(f"cannot write the file ({error.strerror or 'unwritable'})") from None
        out.write(f"{options['out']}: {exported.export.destination}\n")
