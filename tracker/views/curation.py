"""Curators' decisions on an article's page: confirm, reject or add a tag (made by tracker.decisions, which also
brings the read model up to date, so the charts the curator goes back to already count them)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from ingest.models import Article
from tracker.decisions import add_tag, confirm_tag, reject_tag
from tracker.models import SignalType, Tag

DECISIONS = {"confirm": (confirm_tag, "confirmed"), "reject": (reject_tag, "rejected")}


class AddTagForm(forms.Form):
    signal = forms.ModelChoiceField(queryset=SignalType.objects.filter(is_active=True), to_field_name="slug")
    evidence_note = forms.CharField(required=False, max_length=2000, strip=True)


@require_POST
@login_required
@permission_required("tracker.change_tag", raise_exception=True)
def decide_tag(request: HttpRequest, article_id: int, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(Tag.objects.select_related("signal"), pk=tag_id, article_id=article_id)
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        return HttpResponseBadRequest("Unknown decision: use confirm or reject.")
    decide, past_tense = decision
    decide(tag, request.user)
    messages.success(request, f"{tag.signal.name} {past_tense}.")
    return redirect("article-detail", article_id=article_id)


@require_POST
@login_required
@permission_required("tracker.add_tag", raise_exception=True)
def add_article_tag(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.only("id"), pk=article_id)
    form = AddTagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the active signal types to add.")
        return redirect("article-detail", article_id=article_id)
    signal = form.cleaned_data["signal"]
    add_tag(article, signal, request.user, form.cleaned_data["evidence_note"])
    messages.success(request, f"{signal.name} added.")
    return redirect("article-detail", article_id=article_id)
