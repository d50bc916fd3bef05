"""The letter gallery (文书样式): every kind rendered from its sample, PDF inline, DOCX download."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from workflow.letters.kinds import KINDS, variant_sample, variants_for
from workflow.letters.render import CONTENT_TYPES, FORMATS, render_letter, sample_context


class GalleryView(LoginRequiredMixin, TemplateView):
    template_name = "letters/gallery.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        outcome = self.request.GET.get("outcome", "")
        context["kinds"] = [
            {
                "code": kind.code,
                "label": kind.label,
                # the variants of its sample an app registered (the reply under each outcome)
                "outcomes": variants_for(kind.code),
                "outcome": outcome if outcome in dict(variants_for(kind.code)) else "",
            }
            for kind in KINDS.values()
        ]
        return context


@login_required
@xframe_options_sameorigin  # the gallery shows each PDF in an iframe of its own page
def letter_file(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """One kind rendered from its sample (``?outcome=`` turns a reply to another outcome)."""
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404("没有这种文书或格式。")
    outcome = request.GET.get("outcome", "")
    context = variant_sample(kind, outcome) if outcome else None
    if context is None:
        context = sample_context(kind)
    body = render_letter(kind, context, fmt, draft=True)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{kind}.{fmt}"'
    return response


class LetterGalleryViewset(AppMenuMixin, Viewset):
    """Menu entry of the gallery in the staff site's tools application."""

    title = "文书样式"
    icon = "description"
    app_name = "letters"

    index_path = path("", GalleryView.as_view(), name="index")
    file_path = path("<slug:kind>.<str:fmt>", letter_file, name="file")
