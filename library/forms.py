from django import forms
from django.utils.translation import gettext_lazy as _

from portal.inputs import IdField, parse_id

from .models import ReadingList, Topic
from .models.catalogue import MATERIAL_CHOICES
from .search import SORTS

SORT_CHOICES = list(
    zip(
        SORTS,
        [_("relevance"), _("year, oldest first"), _("year, newest first"), _("title")],
        strict=True,
    )
)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the catalogue"), required=False, max_length=300)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    author = forms.CharField(label=_("Author"), required=False, max_length=200)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    series = forms.CharField(label=_("Series"), required=False, max_length=200)
    isbn = forms.CharField(label=_("ISBN"), required=False, max_length=20)
    ukd = forms.CharField(label=_("UKD"), required=False, max_length=50)
    year_from = forms.IntegerField(
        label=_("Year from"), required=False, min_value=1000, max_value=2100
    )
    year_to = forms.IntegerField(label=_("Year to"), required=False, min_value=1000, max_value=2100)
    language = forms.CharField(label=_("Language code (e.g. pol)"), required=False, max_length=3)
    material = forms.ChoiceField(
        label=_("Material type"), required=False, choices=[("", "—"), *MATERIAL_CHOICES]
    )
    library = IdField(label=_("Library"), required=False, widget=forms.Select)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].widget.choices = [("", _("all libraries"))] + [
            (s.pk, str(s)) for s in schools
        ]


class UploadForm(forms.Form):
    school = forms.ModelChoiceField(label=_("Library"), queryset=None)
    file = forms.FileField(label=_("MARC file (MARC 21, MARCXML or MARC-in-JSON)"))
    fmt = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[
            ("", _("detect")),
            ("marc", "MARC 21"),
            ("marcxml", "MARCXML"),
            ("json", "MARC-in-JSON"),
        ],
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if len(schools) == 1:  # a librarian of one school has nothing to choose
            self.fields["school"].initial = schools[0]
            self.fields["school"].empty_label = None


class MarcEditForm(forms.Form):
    text = forms.CharField(
        label=_("MARC fields, one a line"),
        widget=forms.Textarea(
            attrs={"rows": 24, "cols": 90, "spellcheck": "false", "class": "marc-editor"}
        ),
    )
    school = forms.ModelChoiceField(label=_("Library"), queryset=None, required=False)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].queryset = schools
            self.fields["school"].required = True


class ReadingListForm(forms.ModelForm):
    class Meta:
        model = ReadingList
        fields = [
            "school",
            "title",
            "kind",
            "audience",
            "description",
            "date_from",
            "date_to",
            "published",
        ]
        labels = {"school": _("Library")}  # the model's field has no verbose name
        widgets = {
            "date_from": forms.DateInput(attrs={"type": "date"}),
            "date_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["school", "name", "description"]
        labels = {"school": _("Library")}

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class AddToForm(forms.Form):
    target = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (e.g. pages, issue)"), required=False, max_length=300)


class CatalogueForm(forms.Form):
    """The cataloguing form: a book, an e-book or an article in a host item, in
    plain fields (library/cataloguing.py writes the MARC)."""

    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[
            ("book", _("printed book")),
            ("ebook", _("e-book")),
            ("article", _("article or chapter in a host item")),
        ],
        widget=forms.RadioSelect,
    )
    school = forms.ModelChoiceField(label=_("Library"), queryset=None, required=False)
    title = forms.CharField(label=_("Title"), max_length=500)
    subtitle = forms.CharField(label=_("Subtitle"), max_length=500, required=False)
    responsibility = forms.CharField(
        label=_("Statement of responsibility"),
        max_length=500,
        required=False,
        help_text=_("As on the title page, e.g. “Jan Brzechwa ; il. Jan Marcin Szancer”."),
    )
    author = forms.CharField(
        label=_("Main author"),
        max_length=200,
        required=False,
        help_text=_("Surname, first name, e.g. “Brzechwa, Jan”."),
    )
    other_authors = forms.CharField(
        label=_("Other authors, illustrators, translators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, surname first."),
    )
    edition = forms.CharField(label=_("Edition"), max_length=200, required=False)
    place = forms.CharField(label=_("Place of publication"), max_length=200, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    year = forms.IntegerField(
        label=_("Year of publication"), required=False, min_value=1000, max_value=2100
    )
    extent = forms.CharField(
        label=_("Extent"),
        max_length=200,
        required=False,
        help_text=_("E.g. “123 s. : il. ; 24 cm”; for an article, its pages go below."),
    )
    isbn = forms.CharField(
        label=_("ISBN"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line."),
    )
    series = forms.CharField(label=_("Series"), max_length=300, required=False)
    language = forms.RegexField(
        label=_("Language code"),
        regex=r"^[a-z]{3}$",
        initial="pol",
        max_length=3,
        help_text=_("Three letters (MARC): pol, eng, ger…"),
    )
    subjects = forms.CharField(
        label=_("Subjects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One heading a line."),
    )
    ukd = forms.CharField(label=_("UKD"), max_length=100, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(
        label=_("Address of the e-book"),
        required=False,
        assume_scheme="https",
        help_text=_("For an e-book: where readers open it."),
    )
    host = forms.CharField(required=False, widget=forms.HiddenInput)
    host_title = forms.CharField(
        label=_("Title of the host item"),
        max_length=500,
        required=False,
        help_text=_("The book or periodical the article or chapter is in."),
    )
    host_related = forms.CharField(
        label=_("Where in the host item"),
        max_length=200,
        required=False,
        help_text=_("E.g. “2024, nr 3, s. 12–15”."),
    )

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].queryset = schools
            self.fields["school"].required = True
            if len(schools) == 1:
                self.fields["school"].initial = schools[0]
                self.fields["school"].empty_label = None

    def clean_host(self):
        from .models import Record

        value = (self.cleaned_data.get("host") or "").strip()
        if not value:
            return None
        host_id = parse_id(value)
        host = Record.objects.filter(pk=host_id).first() if host_id else None
        if host is None:
            raise forms.ValidationError(_("No such host record."))
        return host

    def clean(self):
        data = super().clean()
        if data.get("kind") == "article" and not (data.get("host") or data.get("host_title")):
            self.add_error("host_title", _("An article needs the title of its host item."))
        if data.get("kind") == "ebook" and not data.get("url"):
            self.add_error("url", _("An e-book needs the address where it is read."))
        return data
