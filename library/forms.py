from django import forms
from django.utils.translation import gettext_lazy as _

from portal.inputs import IdField

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

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class AddToForm(forms.Form):
    target = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (e.g. pages, issue)"), required=False, max_length=300)
