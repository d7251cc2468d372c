"""School management for school admins: years, terms, classes, groups, subjects,
assignments, enrolments, guardian links, people and CSV imports, all scoped to
the schools the user administers. Another school's objects answer 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import forms as portal_forms
from .audit import audited_delete, audited_save
from .errors import constraint_errors
from .exports import csv_response
from .imports import SAMPLE_CSV_FORMAT, ImportFileError, people_import, sample_csv, sample_rows
from .models import (
    AuditEvent,
    Enrolment,
    GuardianLink,
    ImportConflict,
    ImportRun,
    Role,
    RoleAssignment,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)
from .permissions import (
    can_manage_school,
    managed_schools,
    manages_person,
    people_manageable,
)
from .selectors import people_of_school, with_pupil_counts
from .services import (
    PortalError,
    guardian_create,
    import_conflict_decide,
    mask_pesel,
    pupil_create,
    roles_set_for_school,
    school_year_save,
    staff_create,
    user_reset_password,
    user_set_active,
    user_update,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    form_class: type
    queryset: Callable  # (school) -> QuerySet
    columns: list[tuple[str, Callable]] = field(default_factory=list)
    save: Callable | None = None  # (form, school) -> instance


def _year_save(form, school):
    form.instance.school = school
    return school_year_save(year=form.instance)


SECTIONS = {
    s.key: s
    for s in [
        Section(
            "years",
            gettext_lazy("School years"),
            portal_forms.SchoolYearForm,
            lambda school: SchoolYear.objects.filter(school=school),
            [
                (gettext_lazy("Name"), lambda o: o.name),
                (gettext_lazy("Start"), lambda o: o.start),
                (gettext_lazy("End"), lambda o: o.end),
                (gettext_lazy("Current"), lambda o: _("yes") if o.is_current else ""),
            ],
            save=_year_save,
        ),
        Section(
            "terms",
            gettext_lazy("Terms"),
            portal_forms.TermForm,
            lambda school: Term.objects.filter(school_year__school=school).select_related(
                "school_year"
            ),
            [
                (gettext_lazy("Year"), lambda o: o.school_year.name),
                (gettext_lazy("Term"), lambda o: o.number),
                (gettext_lazy("Start"), lambda o: o.start),
                (gettext_lazy("End"), lambda o: o.end),
            ],
        ),
        Section(
            "classes",
            gettext_lazy("Classes"),
            portal_forms.SchoolClassForm,
            lambda school: with_pupil_counts(portal_forms.SchoolClass.objects.for_school(school)),
            [
                (gettext_lazy("Class"), lambda o: o.name),
                (gettext_lazy("Year"), lambda o: o.school_year.name),
                (gettext_lazy("Level"), lambda o: o.level),
                (gettext_lazy("Homeroom teacher"), lambda o: o.homeroom_teacher or ""),
                (gettext_lazy("Pupils"), lambda o: o.pupil_count),
            ],
        ),
        Section(
            "groups",
            gettext_lazy("Groups"),
            portal_forms.TeachingGroupForm,
            lambda school: TeachingGroup.objects.filter(
                school_class__school_year__school=school
            ).select_related("school_class"),
            [
                (gettext_lazy("Class"), lambda o: o.school_class.name),
                (gettext_lazy("Group"), lambda o: o.name),
            ],
        ),
        Section(
            "subjects",
            gettext_lazy("Subjects"),
            portal_forms.SubjectForm,
            lambda school: Subject.objects.filter(school=school),
            [
                (gettext_lazy("Name"), lambda o: o.name),
                (gettext_lazy("Short name"), lambda o: o.short_name),
            ],
        ),
        Section(
            "assignments",
            gettext_lazy("Teaching assignments"),
            portal_forms.TeachingAssignmentForm,
            lambda school: TeachingAssignment.objects.for_school(school).select_related(
                "teacher", "school_class__school_year", "group", "subject"
            ),
            [
                (gettext_lazy("Class"), lambda o: o.school_class.name),
                (gettext_lazy("Group"), lambda o: o.group.name if o.group else ""),
                (gettext_lazy("Subject"), lambda o: o.subject.name),
                (gettext_lazy("Teacher"), lambda o: o.teacher),
                (gettext_lazy("Year"), lambda o: o.school_class.school_year.name),
            ],
        ),
        Section(
            "enrolments",
            gettext_lazy("Enrolments"),
            portal_forms.EnrolmentForm,
            lambda school: Enrolment.objects.filter(
                school_class__school_year__school=school
            ).select_related("pupil", "school_class"),
            [
                (gettext_lazy("Pupil"), lambda o: o.pupil.sort_name),
                (gettext_lazy("Class"), lambda o: o.school_class.name),
                (gettext_lazy("No."), lambda o: o.register_number or ""),
                (gettext_lazy("From"), lambda o: o.start_date),
                (gettext_lazy("Until"), lambda o: o.end_date or ""),
            ],
        ),
        Section(
            "guardians",
            gettext_lazy("Guardian links"),
            portal_forms.GuardianLinkForm,
            lambda school: (
                GuardianLink.objects.filter(
                    pupil__enrolments__school_class__school_year__school=school
                )
                .distinct()
                .select_related("guardian", "pupil")
                .order_by("pupil__last_name", "guardian__last_name")
            ),
            [
                (gettext_lazy("Guardian"), lambda o: o.guardian.sort_name),
                (gettext_lazy("Relation"), lambda o: o.get_relation_display()),
                (gettext_lazy("Pupil"), lambda o: o.pupil.sort_name),
            ],
        ),
    ]
}


class SchoolAdminMixin(LoginRequiredMixin):
    """Loads the school from the URL among the schools the user manages (404 otherwise)."""

    @cached_property
    def school(self):
        return get_object_or_404(managed_schools(self.request.user), pk=self.kwargs["school_id"])

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can_manage_school(request.user, self.school):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render(self, template, context=None, status=200):
        base = {"school": self.school, "sections": SECTIONS.values()}
        base.update(context or {})
        return render(self.request, template, base, status=status)


class ManageHomeView(LoginRequiredMixin, View):
    def get(self, request):
        schools = list(managed_schools(request.user))
        if not schools:
            raise Http404
        if len(schools) == 1:
            return redirect("portal:manage_school", school_id=schools[0].pk)
        return render(request, "portal/manage/home.html", {"schools": schools})


class ManageSchoolView(SchoolAdminMixin, View):
    def get(self, request, school_id):
        form = portal_forms.SchoolForm(instance=self.school)
        return self.render("portal/manage/school.html", {"form": form})

    def post(self, request, school_id):
        form = portal_forms.SchoolForm(request.POST, instance=self.school)
        if form.is_valid():
            audited_save(
                form.instance,
                save=form.save,
                actor=request.user,
                category=AuditEvent.Category.SCHOOL,
                name="school",
                school=self.school,
                fields=form.Meta.fields,
            )
            messages.success(request, _("School details saved."))
            return redirect("portal:manage_school", school_id=school_id)
        return self.render("portal/manage/school.html", {"form": form}, status=400)


class SectionMixin(SchoolAdminMixin):
    @cached_property
    def section(self) -> Section:
        try:
            return SECTIONS[self.kwargs["section"]]
        except KeyError:
            raise Http404 from None

    def queryset(self) -> QuerySet:
        return self.section.queryset(self.school)

    def list_url(self):
        return reverse("portal:manage_list", args=[self.school.pk, self.section.key])


class SectionListView(SectionMixin, View):
    def get(self, request, school_id, section):
        page = Paginator(self.queryset(), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(obj, [getter(obj) for _label, getter in self.section.columns]) for obj in page]
        return self.render(
            "portal/manage/list.html",
            {
                "section": self.section,
                "page": page,
                "rows": rows,
                "headers": [label for label, _getter in self.section.columns],
            },
        )


class SectionEditView(SectionMixin, View):
    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def make_form(self, data=None, instance=None):
        return self.section.form_class(
            data, instance=instance, school=self.school, manager=self.request.user
        )

    def get(self, request, school_id, section, pk=None):
        form = self.make_form(instance=self.get_object())
        return self.render(
            "portal/manage/form.html",
            {"section": self.section, "form": form, "object": form.instance},
        )

    def post(self, request, school_id, section, pk=None):
        obj = self.get_object()
        form = self.make_form(request.POST, instance=obj)
        if form.is_valid():
            save = self.section.save or (lambda form, school: form.save())
            try:
                with constraint_errors(error=PortalError):
                    audited_save(
                        form.instance,
                        save=lambda: save(form, self.school),
                        actor=request.user,
                        category=AuditEvent.Category.SCHOOL,
                        name=form.instance._meta.model_name,
                        school=self.school,
                        fields=list(form.fields),
                    )
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.list_url())
        return self.render(
            "portal/manage/form.html",
            {"section": self.section, "form": form, "object": obj},
            status=400,
        )


class SectionDeleteView(SectionMixin, View):
    def get(self, request, school_id, section, pk):
        obj = get_object_or_404(self.queryset(), pk=pk)
        return self.render("portal/manage/delete.html", {"section": self.section, "object": obj})

    def post(self, request, school_id, section, pk):
        obj = get_object_or_404(self.queryset(), pk=pk)
        form = self.section.form_class(instance=obj, school=self.school, manager=request.user)
        try:
            with transaction.atomic():
                audited_delete(
                    obj,
                    actor=request.user,
                    category=AuditEvent.Category.SCHOOL,
                    name=obj._meta.model_name,
                    school=self.school,
                    fields=list(form.fields),
                )
        except (ProtectedError, IntegrityError):
            messages.error(
                request,
                _("“%(obj)s” is still used elsewhere and cannot be deleted.") % {"obj": obj},
            )
        else:
            messages.success(request, _("Deleted."))
        return redirect(self.list_url())


# --- People -------------------------------------------------------------------------------

ROLE_FILTERS = [
    ("", gettext_lazy("everyone")),
    ("pupil", gettext_lazy("pupils")),
    ("guardian", gettext_lazy("guardians")),
] + [(r.value, r.label) for r in Role if r != Role.OFFICER]


class PeopleListView(SchoolAdminMixin, View):
    def get(self, request, school_id):
        role = request.GET.get("role", "")
        if role not in dict(ROLE_FILTERS):
            role = ""
        search = request.GET.get("q", "").strip()[:100]
        people = people_of_school(self.school, search=search, role=role)
        page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
        managed = set(
            people_manageable(self.school, request.user)
            .filter(pk__in=[p.pk for p in page])
            .values_list("pk", flat=True)
        )
        return self.render(
            "portal/manage/people.html",
            {
                "page": page,
                "role": role,
                "q": search,
                "role_filters": ROLE_FILTERS,
                "managed_ids": managed,
            },
        )


def person_of_school_or_404(school, pk) -> User:
    return get_object_or_404(people_of_school(school), pk=pk)


class PersonMixin(SchoolAdminMixin):
    """A person of the school (any link, past ones too: the school sees the people
    of its register). `account_managed` says whether this user may act on the
    account itself (see `portal.permissions.manages_person`)."""

    @cached_property
    def person(self) -> User:
        return person_of_school_or_404(self.school, self.kwargs["pk"])

    @cached_property
    def account_managed(self) -> bool:
        return manages_person(self.request.user, self.person, self.school)

    def managed_person_or_404(self) -> User:
        if not self.account_managed:
            raise Http404
        return self.person


class PersonCreateView(SchoolAdminMixin, View):
    def get(self, request, school_id):
        form = portal_forms.PersonForm(
            school=self.school,
            manager=request.user,
            initial={"kind": request.GET.get("kind", "staff")},
        )
        return self.render("portal/manage/person_form.html", {"form": form})

    def post(self, request, school_id):
        form = portal_forms.PersonForm(request.POST, school=self.school, manager=request.user)
        if not form.is_valid():
            return self.render("portal/manage/person_form.html", {"form": form}, status=400)
        data = form.cleaned_data
        person_fields = {
            k: data[k]
            for k in (
                "first_name",
                "last_name",
                "username",
                "email",
                "phone",
                "pesel",
                "date_of_birth",
            )
        }
        person_fields["actor"] = request.user
        try:
            if data["kind"] == "pupil":
                person, password = pupil_create(
                    school_class=data["school_class"],
                    register_number=data["register_number"],
                    **person_fields,
                )
            elif data["kind"] == "guardian":
                person, password = guardian_create(
                    pupil=data["child"],
                    relation=data["relation"] or GuardianLink.Relation.GUARDIAN,
                    school=self.school,
                    **person_fields,
                )
            else:
                person, password = staff_create(
                    school=self.school, roles=set(data["roles"]), **person_fields
                )
        except PortalError as exc:
            form.add_error(None, exc.message)
            return self.render("portal/manage/person_form.html", {"form": form}, status=400)
        return self.render(
            "portal/manage/credentials.html",
            {
                "credentials": [
                    {"name": str(person), "username": person.username, "password": password}
                ]
            },
        )


class PersonEditView(PersonMixin, View):
    def context(self, form):
        person = self.person
        return {
            "person": person,
            "form": form,
            "account_managed": self.account_managed,
            "roles_editable": self.roles_editable,
            "enrolments": person.enrolments.select_related("school_class__school_year__school"),
            "children": GuardianLink.objects.filter(guardian=person).select_related("pupil"),
            "guardians": GuardianLink.objects.filter(pupil=person).select_related("guardian"),
        }

    @cached_property
    def roles_editable(self) -> bool:
        """The roles at this school are the school's own business, even for a
        shared account; never for superusers or holders of municipal roles."""
        person = self.person
        if person == self.request.user and not self.request.user.is_superuser:
            return False
        if self.account_managed:
            return True
        return (
            not person.is_superuser
            and not person.role_assignments.filter(school__isnull=True).exists()
        )

    def make_form(self, data=None, initial=None):
        return portal_forms.PersonForm(
            data,
            school=self.school,
            manager=self.request.user,
            editing=True,
            account_locked=not self.account_managed,
            initial=initial,
        )

    def initial(self) -> dict:
        person = self.person
        roles = RoleAssignment.objects.filter(user=person, school=self.school).values_list(
            "role", flat=True
        )
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "username": person.username,
            "email": person.email,
            "phone": person.phone,
            "pesel": person.pesel,
            "date_of_birth": person.date_of_birth,
            "roles": list(roles),
        }

    def get(self, request, school_id, pk):
        return self.render(
            "portal/manage/person_edit.html", self.context(self.make_form(initial=self.initial()))
        )

    def post(self, request, school_id, pk):
        person = self.person
        if not self.account_managed and not self.roles_editable:
            raise Http404
        form = self.make_form(request.POST, initial=self.initial())
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    if self.account_managed:
                        user_update(
                            user=person,
                            actor=request.user,
                            school=self.school,
                            **{
                                k: data[k]
                                for k in (
                                    "first_name",
                                    "last_name",
                                    "email",
                                    "phone",
                                    "pesel",
                                    "date_of_birth",
                                )
                            },
                            **({"username": data["username"]} if data["username"] else {}),
                        )
                    if self.roles_editable:
                        roles_set_for_school(
                            user=person,
                            school=self.school,
                            roles=set(data["roles"]),
                            actor=request.user,
                        )
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("portal:manage_person", school_id=school_id, pk=pk)
        return self.render("portal/manage/person_edit.html", self.context(form), status=400)


class PersonPasswordResetView(PersonMixin, View):
    def post(self, request, school_id, pk):
        person = self.managed_person_or_404()
        password = user_reset_password(user=person, actor=request.user, school=self.school)
        return self.render(
            "portal/manage/credentials.html",
            {
                "credentials": [
                    {"name": str(person), "username": person.username, "password": password}
                ]
            },
        )


class PersonActiveView(PersonMixin, View):
    def post(self, request, school_id, pk):
        person = self.managed_person_or_404()
        if person == request.user:
            raise Http404
        user_set_active(
            user=person,
            active=request.POST.get("active") == "1",
            actor=request.user,
            school=self.school,
        )
        messages.success(
            request,
            _("Account enabled.")
            if person.is_active
            else _("Account disabled; the person can no longer sign in."),
        )
        return redirect("portal:manage_person", school_id=school_id, pk=pk)


# --- Import -------------------------------------------------------------------------------


class ImportView(SchoolAdminMixin, View):
    def get(self, request, school_id):
        return self.render(
            "portal/manage/import.html",
            {
                "form": portal_forms.ImportForm(),
                "runs": ImportRun.objects.filter(school=self.school).select_related("created_by")[
                    :20
                ],
                "samples": [(k, label, sample_csv(k)) for k, label in ImportRun.Kind.choices],
            },
        )

    def post(self, request, school_id):
        form = portal_forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = people_import(
                    school=self.school,
                    kind=form.cleaned_data["kind"],
                    data=upload.read(),
                    file_name=upload.name,
                    user=request.user,
                )
            except ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                return self.render(
                    "portal/manage/import_result.html",
                    import_report_context(request.user, self.school, result.run)
                    | {"credentials": result.credentials},
                )
        return self.render(
            "portal/manage/import.html",
            {
                "form": form,
                "runs": ImportRun.objects.filter(school=self.school).select_related("created_by")[
                    :20
                ],
                "samples": [(k, label, sample_csv(k)) for k, label in ImportRun.Kind.choices],
            },
            status=400,
        )


FIELD_LABELS = {
    "username": gettext_lazy("Login"),
    "email": gettext_lazy("E-mail"),
    "pesel": gettext_lazy("PESEL"),
}


def import_report_context(user, school, run) -> dict:
    conflicts = list(run.conflicts.select_related("person", "decided_by"))
    managed = set(
        people_manageable(school, user)
        .filter(pk__in={c.person_id for c in conflicts})
        .values_list("pk", flat=True)
    )
    for c in conflicts:
        c.managed = c.person_id in managed
        c.field_label = FIELD_LABELS.get(c.field, c.field)
        masked = c.field == "pesel"
        c.shown_current = mask_pesel(c.current_value) if masked else c.current_value
        c.shown_imported = mask_pesel(c.imported_value) if masked else c.imported_value
    return {"run": run, "conflicts": conflicts, "credentials": []}


class ImportRunView(SchoolAdminMixin, View):
    def get(self, request, school_id, pk):
        run = get_object_or_404(ImportRun.objects.filter(school=self.school), pk=pk)
        return self.render(
            "portal/manage/import_result.html",
            import_report_context(request.user, self.school, run),
        )


class ImportConflictView(SchoolAdminMixin, View):
    """Accept or reject one difference an import found in a guarded field."""

    def post(self, request, school_id, pk, conflict_id):
        conflict = get_object_or_404(
            ImportConflict.objects.filter(run__school=self.school, run_id=pk).select_related(
                "person"
            ),
            pk=conflict_id,
        )
        if not manages_person(request.user, conflict.person, self.school):
            raise Http404
        decision = request.POST.get("decision")
        if decision not in ("accept", "reject"):
            messages.error(request, _("Choose to accept or to reject the difference."))
        else:
            try:
                import_conflict_decide(
                    conflict=conflict,
                    accept=decision == "accept",
                    actor=request.user,
                    school=self.school,
                )
            except PortalError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Decision saved."))
        return redirect(
            reverse("portal:manage_import_run", args=[self.school.pk, pk]) + "#conflicts"
        )


class ImportSampleView(SchoolAdminMixin, View):
    def get(self, request, school_id, kind):
        if kind not in ImportRun.Kind.values:
            raise Http404
        return csv_response(sample_rows(kind), filename=f"wzor-{kind}.csv", **SAMPLE_CSV_FORMAT)
