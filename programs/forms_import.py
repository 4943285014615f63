"""The upload form of the participant import: a CSV file and whether missing topics may be
created. The file is checked for its name, size and encoding here; its rows by the importing
service."""

from pathlib import PurePath

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from programs import importing


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    create_topics = forms.BooleanField(
        label=_("Create topics that are not in the catalogue yet"),
        help_text=_(
            "They are added to this program's topics. Otherwise an unknown topic is an error."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, so that the text is in the reader's language.
        self.fields["file"].help_text = _(
            "UTF-8, with a header row naming the columns, at most %(limit)s."
        ) % {"limit": filesizeformat(importing.MAX_IMPORT_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The browser's content type is not checked: it comes from the uploader's system
        # (text/csv, application/vnd.ms-excel, or application/octet-stream for the same file),
        # and the decoding and the parser judge what the file really holds.
        if PurePath(upload.name).suffix.lower() != ".csv":
            raise forms.ValidationError(_("Choose a file whose name ends in .csv."))
        if upload.size > importing.MAX_IMPORT_BYTES:
            raise forms.ValidationError(str(importing.too_large_error(upload.size)))
        # Read one byte past the limit: a size the client lied about cannot fill the memory.
        data = upload.read(importing.MAX_IMPORT_BYTES + 1)
        try:
            self.cleaned_data["text"] = importing.decode_upload(data)
        except importing.ImportRejected as rejected:
            raise forms.ValidationError([str(error) for error in rejected.row_errors]) from None
        return upload
