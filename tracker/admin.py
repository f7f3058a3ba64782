"""Curation in the admin: signal types and rules for admins, tags for curators, assessments and stories to read;
users for admins, within the roles they may give."""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tracker.decisions import add_tag, confirm_tag, reject_tag
from tracker.highlight import highlighted
from tracker.models import Assessment, KeyEvent, Rule, SignalType, Story, Tag
from tracker.roles import ROLE_ORDER, role_groups

STORY_ARTICLES_SHOWN = 50
SIGNAL_RULE_KINDS = {Rule.Kind.TRIGGER, Rule.Kind.VETO, Rule.Kind.CONTEXT}


# --- Evidence, shown as sentences with the matched terms marked --------------------------------------


def evidence_html(evidence: list[dict]) -> SafeString:
    if not evidence:
        return format_html("<em>{}</em>", "none")
    items = ((highlighted(item.get("sentence", ""), item.get("terms", [])),) for item in evidence)
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", items))


# --- Signal types and rules (admins) ------------------------------------------------------------------


@admin.register(SignalType)
class SignalTypeAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ("css/tracker-admin.css", reverse_lazy("signal-types-css"))}

    list_display = ("name", "slug", "colour_swatch", "is_active", "sort_order")
    list_editable = ("sort_order",)
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")

    @admin.display(description="Colour", ordering="colour")
    def colour_swatch(self, signal_type: SignalType) -> SafeString:
        # Coloured by /signal-types.css: the Content-Security-Policy refuses inline styles.
        return format_html('<span class="chip" data-signal="{}">{}</span>', signal_type.slug, signal_type.colour)


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ("kind", "signal", "side", "language", "pattern", "is_regex", "weight", "is_active", "note")

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"].strip()
        if not pattern:
            raise forms.ValidationError("A rule needs a term or a pattern.")
        return pattern

    def clean_language(self) -> str:
        return self.cleaned_data["language"].strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("is_regex") and cleaned.get("pattern"):
            try:
                re.compile(cleaned["pattern"])
            except re.error as error:
                self.add_error("pattern", f"Not a valid regular expression: {error}")
        kind, signal = cleaned.get("kind"), cleaned.get("signal")
        if kind in SIGNAL_RULE_KINDS and signal is None:
            self.add_error("signal", "Triggers, vetoes and context terms belong to a signal type.")
        if kind and kind not in SIGNAL_RULE_KINDS and signal is not None:
            self.add_error("signal", "Only triggers, vetoes and context terms belong to a signal type.")
        return cleaned


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ("kind", "signal", "side", "language", "pattern", "is_regex", "weight", "is_active")
    list_filter = ("kind", "signal", "language", "is_active", "is_regex")
    search_fields = ("pattern", "note")
    list_select_related = ("signal",)
    actions = ("activate", "deactivate")

    @admin.action(description="Activate")
    def activate(self, request, queryset: QuerySet[Rule]) -> None:
        self.set_active(request, queryset, True)

    @admin.action(description="Deactivate")
    def deactivate(self, request, queryset: QuerySet[Rule]) -> None:
        self.set_active(request, queryset, False)

    def set_active(self, request, queryset: QuerySet[Rule], is_active: bool) -> None:
        # update() skips auto_now, and the tagger's cache is keyed on the newest updated_at: set it by hand.
        count = queryset.update(is_active=is_active, updated_at=timezone.now())
        self.message_user(request, f"{count} rules {'activated' if is_active else 'deactivated'}")


# --- Tags (curators) ----------------------------------------------------------------------------------


class TagAddForm(forms.ModelForm):
    evidence_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the article carries this signal"
    )

    class Meta:
        model = Tag
        fields = ("article", "signal")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("article_title", "signal", "confidence", "origin", "decision", "decided_by", "created_at")
    list_filter = ("decision", "origin", "signal", "article__feed__source_kind", "tagger_version")
    search_fields = ("article__title",)
    list_select_related = ("article", "signal", "decided_by")
    raw_id_fields = ("article",)
    actions = ("confirm", "reject")
    fields = (
        "article_link",
        "signal",
        "decision",
        "confidence",
        "evidence_display",
        "origin",
        "decided_by",
        "decided_at",
        "tagger_version",
        "created_at",
        "updated_at",
    )
    # Only the decision is edited on the tag page; everything else is shown as the tagger or curator left it.
    readonly_fields = tuple(name for name in fields if name != "decision")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__summary_html", "article__content_html", "article__text")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TagAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("article", "signal", "evidence_note") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj: Tag, form, change: bool) -> None:
        if not change:
            saved = add_tag(obj.article, obj.signal, request.user, form.cleaned_data.get("evidence_note", ""))
            # The admin goes on with obj (log entry, redirect): make it the row add_tag saved.
            for field in Tag._meta.concrete_fields:
                setattr(obj, field.attname, getattr(saved, field.attname))
            obj._state.adding = False
        elif "decision" in form.changed_data:
            self.record_decision(obj, request.user)

    def record_decision(self, tag: Tag, user) -> None:
        if tag.decision == Tag.Decision.CONFIRMED:
            confirm_tag(tag, user)
        elif tag.decision == Tag.Decision.REJECTED:
            reject_tag(tag, user)
        else:
            # Back to "not reviewed": an automatic tag is the tagger's again, to refresh or remove on re-tagging.
            tag.decided_by, tag.decided_at = None, None
            tag.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])

    @admin.action(description="Confirm selected tags")
    def confirm(self, request, queryset: QuerySet[Tag]) -> None:
        for tag in queryset:
            confirm_tag(tag, request.user)
        self.message_user(request, f"{len(queryset)} tags confirmed", messages.SUCCESS)

    @admin.action(description="Reject selected tags")
    def reject(self, request, queryset: QuerySet[Tag]) -> None:
        for tag in queryset:
            reject_tag(tag, request.user)
        self.message_user(request, f"{len(queryset)} tags rejected", messages.SUCCESS)

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, tag: Tag) -> str:
        return tag.article.title or f"Article {tag.article_id}"

    @admin.display(description="Article")
    def article_link(self, tag: Tag) -> SafeString:
        url = reverse("article-detail", args=[tag.article_id])
        return format_html('<a href="{}">{}</a>', url, self.article_title(tag))

    @admin.display(description="Evidence")
    def evidence_display(self, tag: Tag) -> SafeString:
        return evidence_html(tag.evidence)


# --- Assessments and stories (read only) ---------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the tagger: the admin shows them and changes nothing."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("article", "status", "language", "relevance_score", "story", "tagger_version", "assessed_at")
    list_filter = ("status", "language", "tagger_version")
    search_fields = ("article__title",)
    list_select_related = ("article", "story")
    exclude = ("relevance_evidence",)
    readonly_fields = ("relevance_evidence_display",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__summary_html", "article__content_html", "article__text")

    @admin.display(description="Relevance evidence")
    def relevance_evidence_display(self, assessment: Assessment) -> SafeString:
        return evidence_html(assessment.relevance_evidence)


@admin.register(Story)
class StoryAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "first_published_at", "last_published_at", "article_count", "representative")
    list_filter = ("first_published_at",)
    search_fields = ("representative__title",)
    date_hierarchy = "first_published_at"
    list_select_related = ("representative",)
    readonly_fields = ("articles",)

    @admin.display(description=f"Articles (first {STORY_ARTICLES_SHOWN})")
    def articles(self, story: Story) -> SafeString:
        rows = (
            story.assessments.select_related("article")
            .only("article__id", "article__title", "article__published_at")
            .order_by("article__published_at")[:STORY_ARTICLES_SHOWN]
        )
        items = ((row.article.published_at.date(), row.article.title) for row in rows)
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", items))


# --- Key events (admins) -------------------------------------------------------------------------------


@admin.register(KeyEvent)
class KeyEventAdmin(admin.ModelAdmin):
    list_display = ("date", "label", "signal")
    list_filter = ("signal",)
    search_fields = ("label", "description")
    date_hierarchy = "date"
    list_select_related = ("signal",)


# --- Users (admins, within the roles) ------------------------------------------------------------------

SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")

admin.site.unregister(User)


@admin.register(User)
class RoleUserAdmin(UserAdmin):
    """Users, for superusers and for admins who are not.

    The rule: only a superuser sees or edits a superuser (his password included), makes one, grants raw
    permissions, or puts users in groups other than the three roles. An admin who is not a superuser sees the
    other users, edits their details and passwords, and gives or takes the roles analyst, curator and admin; the
    groups a superuser gave beyond the roles stay as they were. The form leaves out what he may not set, and
    saving checks again, so that a hand-made POST cannot do what the form does not offer.
    """

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (name, {**options, "fields": [field for field in options["fields"] if field not in SUPERUSER_ONLY_FIELDS]})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = role_groups()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj: User, form, change: bool) -> None:
        # is_superuser is not on a role admin's form, so obj holds the stored value: set by a superuser, or not.
        if obj.is_superuser and not request.user.is_superuser:
            raise PermissionDenied("Only a superuser edits a superuser.")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        if "groups" in form.cleaned_data and not request.user.is_superuser:
            form.cleaned_data["groups"] = self.roles_given_with_other_groups_kept(
                form.instance, form.cleaned_data["groups"]
            )
        super().save_related(request, form, formsets, change)

    @staticmethod
    def roles_given_with_other_groups_kept(user: User, chosen: QuerySet[Group]) -> list[Group]:
        chosen = list(chosen)
        if any(group.name not in ROLE_ORDER for group in chosen):
            raise PermissionDenied("Only a superuser gives groups other than the roles.")
        return chosen + list(user.groups.exclude(name__in=ROLE_ORDER))
