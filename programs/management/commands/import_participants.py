"""`python manage.py import_participants SLUG FILE.csv [--create-topics]`: the import page for
automation, through the same service. Prints one summary line, or the row-numbered errors on
stderr and exits non-zero with nothing saved."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs import importing
from programs.models import Program


class Command(BaseCommand):
    help = "Import participants into a program from a CSV file (the format of the import page)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The program's short name in addresses.")
        parser.add_argument("file", type=Path, help="The CSV file, UTF-8, with a header row.")
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="Create topics missing from the catalogue and offer them in the program.",
        )

    def handle(self, *args, slug: str, file: Path, create_topics: bool, **options):
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(_("There is no program “%(slug)s”.") % {"slug": slug})
        try:
            text = importing.decode_upload(_read(file))
            result = importing.import_apply(
                program=program, text=text, create_topics=create_topics, by=None
            )
        except importing.ImportRejected as rejected:
            for error in rejected.row_errors:
                self.stderr.write(str(error))
            count = len(rejected.row_errors)
            raise CommandError(
                ngettext(
                    "%(count)s problem in %(file)s; nothing was saved.",
                    "%(count)s problems in %(file)s; nothing was saved.",
                    count,
                )
                % {"count": count, "file": file}
            ) from None
        self.stdout.write(result.summary)


def _read(file: Path) -> bytes:
    try:
        size = file.stat().st_size
        if size > importing.MAX_IMPORT_BYTES:
            raise importing.ImportRejected([importing.too_large_error(size)])
        with file.open("rb") as handle:
            # One byte past the limit is enough to refuse a file that grew since stat().
            return handle.read(importing.MAX_IMPORT_BYTES + 1)
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
        ) from error
