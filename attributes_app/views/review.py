"""Pages of the yearly review (年度复核, DOMAIN §4.3): the legal office opens a review (in the
background: it collects every on-request and withheld document of the agency), filters its
items, decides them one by one or in bulk with a shared reason, closes it and reads the report;
each drafting unit proposes keep or change for its own items from its inbox.

No page loads every item: lists are paginated, "all items matching the filter" is resolved to
ids only when the decision is submitted, and a large bulk decision runs as a background job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from attributes_app import forms as f
from attributes_app import jobs, lists, permissions, rules, selectors, services
from attributes_app.guidance import GROUND_GUIDES
from attributes_app.models import AttributeReview, Document, ReviewItem
from attributes_app.views.base import RolePageMixin, RoleViewset, may_see, page_of
from workflow.errors import REFUSALS, NotAllowed, Stale, add_to_form
from workflow.job_views import JobView, job_status
from workflow.selectors import agencies_of

REVIEW_ROLES = frozenset({"legal_reviewer", "office_head"})
LEGAL_ROLES = frozenset({"legal_reviewer"})
UNIT_ROLES = frozenset({"drafter", "drafting_unit_head"})
ITEMS_PAGE = 50
#: A bulk decision over more items than this runs in the background.
BULK_INLINE_LIMIT = 500


def review_url(review, name: str = "detail") -> str:
    return reverse(f"attributes:reviews:{name}", kwargs={"pk": review.pk})


def _review(user, pk: int) -> AttributeReview:
    return get_object_or_404(selectors.visible_reviews(user), pk=pk)


def _signal_labels(item: ReviewItem) -> list[str]:
    return [label for code, label in rules.SIGNAL_LABELS.items() if getattr(item, f"signal_{code}")]


@dataclass
class Attempt:
    """What came of a service call made for a form: done (with the service's result), or
    refused: the reasons are on the form (status 403 for a permission), or ``stale`` says that
    somebody else acted first."""

    done: bool
    result: object = None
    status: int = 200
    stale: str = ""


def _attempt(form, call: Callable[[], object]) -> Attempt:
    try:
        return Attempt(done=True, result=call())
    except ValidationError as error:
        add_to_form(form, error, fields=form.service_fields)
        return Attempt(done=False)
    except (Stale, services.StaleReview) as error:
        return Attempt(done=False, stale=str(error))
    except NotAllowed as error:
        add_to_form(form, error)
        return Attempt(done=False, status=403)


class ReviewListView(RolePageMixin, TemplateView):
    """年度复核: the agency's reviews, and the form that opens one (legal office)."""

    template_name = "attributes_app/reviews.html"
    roles = REVIEW_ROLES

    def _form(self, data=None) -> f.ReviewOpenForm:
        return f.ReviewOpenForm(
            data, agencies=agencies_of(self.request.user), today=timezone.localdate()
        )

    def post(self, request, *args, **kwargs):
        if not may_see(request.user, LEGAL_ROLES):
            raise PermissionDenied("年度复核由法制审核人员启动。")
        form = self._form(request.POST)
        if form.is_valid():
            agency, year = form.cleaned_data["agency"], form.cleaned_data["year"]
            problem = _open_problem(request.user, agency, year)
            if problem:
                form.add_error(problem[0], problem[1])
            else:
                documents = Document.objects.filter(
                    agency=agency,
                    attribute_state=selectors.S.RESTRICTED,
                    archive_transfer__isnull=True,
                ).count()
                job = jobs.submit_open_review(
                    actor=request.user, agency=agency, year=year, documents=documents
                )
                return HttpResponseRedirect(
                    reverse("attributes:reviews:job", kwargs={"job_pk": job.pk})
                )
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page, query = page_of(self.request, lists.reviews_with_counts(user))
        context.update(
            page=page,
            query=query,
            can_open=may_see(user, LEGAL_ROLES),
            open_reviews=list(
                selectors.visible_reviews(user).filter(status=AttributeReview.Status.OPEN)
            ),
            form=kwargs.get("form") or self._form(),
        )
        return context


def _open_problem(user, agency, year: int) -> tuple[str | None, str] | None:
    """What the service would refuse at once, said on the form before any work starts (the
    service checks again when the job runs)."""
    reason = permissions.problem(user, "review_open", agency=agency)
    if reason:
        return None, reason
    if AttributeReview.objects.filter(agency=agency, status=AttributeReview.Status.OPEN).exists():
        return None, f"{agency.name}还有尚未结束的年度复核，请先结束后再启动新的复核。"
    if AttributeReview.objects.filter(agency=agency, year=year).exists():
        return "year", f"{agency.name}{year}年度的复核已经启动过。"
    return None


class ReviewJobView(RolePageMixin, JobView):
    roles = REVIEW_ROLES
    status_url_name = "attributes:reviews:job_status"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["back_url"] = reverse("attributes:reviews:index")
        return context


@login_required
def review_job_status(request, job_pk: int):
    if not may_see(request.user, REVIEW_ROLES):
        raise PermissionDenied
    return job_status(request, job_pk)


class ReviewItemsView(RolePageMixin, TemplateView):
    """One review: its figures, its items filtered and paginated, and the bulk decision over the
    selected items or over every item awaiting a decision that matches the filter."""

    template_name = "attributes_app/review.html"
    roles = REVIEW_ROLES

    def _filters(self, review):
        form = f.ReviewItemFilterForm(
            self.request.GET or None,
            units=lists.agency_units(self.request.user).filter(agency=review.agency),
        )
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = form.valid_filters()
        return form, filters

    def post(self, request, *args, **kwargs):
        review = _review(request.user, kwargs["pk"])
        if not may_see(request.user, LEGAL_ROLES):
            raise PermissionDenied("复核决定由法制审核人员作出。")
        form = f.ReviewDecisionForm(request.POST, prefix="bulk")
        _, filters = self._filters(review)
        scope = request.POST.get("scope", "selected")
        status = 200
        if form.is_valid():
            if scope == "all":
                ids = list(
                    lists.review_item_list(request.user, review, filters)
                    .filter(status=ReviewItem.Status.PROPOSED)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                expected = request.POST.get("expected", "")
                if expected != str(len(ids)):
                    form.add_error(
                        None,
                        f"符合条件、待决定的事项现在是{len(ids)}项"
                        f"（页面显示时是{expected or 0}项），可能已有他人办理。请核对后再提交。",
                    )
                    ids = []
            else:
                ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
                if not ids:
                    form.add_error(
                        None, "请先勾选要决定的事项，或者选择“符合筛选条件的全部待决定事项”。"
                    )
            if ids and len(ids) > BULK_INLINE_LIMIT:
                label = rules.VERDICT_LABELS[form.cleaned_data["verdict"]]
                job = jobs.submit_decide_items(
                    actor=request.user,
                    review=review,
                    item_ids=ids,
                    decision=form.decision(),
                    description=f"作出“{label}”的决定",
                )
                return HttpResponseRedirect(
                    reverse("attributes:reviews:job", kwargs={"job_pk": job.pk})
                )
            if ids:
                attempt = _attempt(
                    form,
                    lambda: services.review_decide_bulk(
                        actor=request.user,
                        review_id=review.pk,
                        item_ids=ids,
                        decision=form.decision(),
                    ),
                )
                if attempt.done:
                    messages.success(request, jobs.decided_message(attempt.result))
                    return HttpResponseRedirect(request.get_full_path())
                if attempt.stale:
                    form.add_error(None, attempt.stale)
                status = attempt.status
        context = self.get_context_data(bulk_form=form, selected=request.POST.getlist("items"))
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        review = _review(user, self.kwargs["pk"])
        form, filters = self._filters(review)
        items = lists.review_item_list(user, review, filters)
        page, query = page_of(self.request, items, ITEMS_PAGE)
        counts = lists.review_status_counts(review)
        legal = may_see(user, LEGAL_ROLES)
        context.update(
            review=review,
            form=form,
            page=page,
            query=query,
            filtered=any(v for v in filters.values()),
            counts=counts,
            status_labels=dict(ReviewItem.Status.choices),
            can_decide=legal and review.status == AttributeReview.Status.OPEN,
            can_close=legal
            and review.status == AttributeReview.Status.OPEN
            and counts[ReviewItem.Status.WITH_UNIT] + counts[ReviewItem.Status.PROPOSED] == 0,
            awaiting=items.filter(status=ReviewItem.Status.PROPOSED).count()
            if legal and review.status == AttributeReview.Status.OPEN
            else 0,
            bulk_form=kwargs.get("bulk_form") or f.ReviewDecisionForm(prefix="bulk"),
            selected={str(v) for v in kwargs.get("selected", [])},
            signal_labels=rules.SIGNAL_LABELS,
            reason_labels=rules.REVIEW_REASONS,
            ground_guides=GROUND_GUIDES,
            bulk_limit=BULK_INLINE_LIMIT,
        )
        return context


class ReviewItemView(RolePageMixin, TemplateView):
    """One reviewed document: signals, the unit's proposal, and the legal office's decision."""

    template_name = "attributes_app/review_item.html"
    roles = REVIEW_ROLES

    def _item(self, review) -> ReviewItem:
        return get_object_or_404(
            review.items.select_related("document", "drafting_unit", "proposed_by", "decided_by"),
            pk=self.kwargs["item_pk"],
        )

    def post(self, request, *args, **kwargs):
        review = _review(request.user, kwargs["pk"])
        if not may_see(request.user, LEGAL_ROLES):
            raise PermissionDenied("复核决定由法制审核人员作出。")
        item = self._item(review)
        form = f.ReviewDecisionForm(request.POST)
        status = 200
        if form.is_valid():
            attempt = _attempt(
                form,
                lambda: services.review_decide(
                    actor=request.user, item_id=item.pk, decision=form.decision()
                ),
            )
            status = attempt.status
            if attempt.stale:
                messages.warning(request, attempt.stale)
                return HttpResponseRedirect(request.path)
            if attempt.done:
                messages.success(request, f"已对《{item.document.title}》作出决定。")
                following = (
                    review.items.filter(status=ReviewItem.Status.PROPOSED, pk__gt=item.pk)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                    .first()
                )
                if following:
                    return HttpResponseRedirect(
                        reverse(
                            "attributes:reviews:item",
                            kwargs={"pk": review.pk, "item_pk": following},
                        )
                    )
                return HttpResponseRedirect(review_url(review))
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = _review(self.request.user, self.kwargs["pk"])
        item = self._item(review)
        initial = {}
        if item.proposal:
            initial = {
                "verdict": item.proposal,
                "attribute": item.proposed_attribute,
                "ground": item.proposed_ground,
                "law": item.proposed_law,
                "reason_code": "reasons_stand" if item.proposal == rules.KEEP else "",
            }
        context.update(
            review=review,
            item=item,
            signals=_signal_labels(item),
            form=kwargs.get("form") or f.ReviewDecisionForm(initial=initial),
            can_decide=may_see(self.request.user, LEGAL_ROLES)
            and review.status == AttributeReview.Status.OPEN
            and item.status == ReviewItem.Status.PROPOSED,
            ground_guides=GROUND_GUIDES,
        )
        return context


@login_required
def review_close(request, pk: int):
    if request.method != "POST":
        raise Http404
    if not may_see(request.user, LEGAL_ROLES):
        raise PermissionDenied("年度复核由法制审核人员结束。")
    review = _review(request.user, pk)
    try:
        services.review_close(actor=request.user, review_id=review.pk)
    except ValidationError as error:
        messages.error(request, "".join(error.messages))
        return HttpResponseRedirect(review_url(review))
    except (*REFUSALS, services.StaleReview) as error:
        messages.warning(request, str(error))
        return HttpResponseRedirect(review_url(review))
    messages.success(request, f"{review.year}年度复核已结束。")
    return HttpResponseRedirect(review_url(review, "report"))


class ReviewReportView(RolePageMixin, TemplateView):
    """复核报告: reviewed, kept, changed, by reason and unit, the share of non-proactive documents
    by year, and the list of changes for the portal (DOMAIN §4.3 step 4)."""

    template_name = "attributes_app/review_report.html"
    roles = REVIEW_ROLES
    CHANGES_SHOWN = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = _review(self.request.user, self.kwargs["pk"])
        # As stored when it closed, or as it stands while it is open: the letter's and the
        # list's report too.
        report = selectors.report_of(review)
        context.update(
            review=review,
            report=report,
            live=review.status == AttributeReview.Status.OPEN,
            changes=report.changes[: self.CHANGES_SHOWN],
            more_changes=max(0, len(report.changes) - self.CHANGES_SHOWN),
            attribute_labels=rules.ATTRIBUTE_LABELS,
            signal_labels=rules.SIGNAL_LABELS,
        )
        return context


# -- the drafting units' inbox ------------------------------------------------------------------


class UnitInboxView(RolePageMixin, TemplateView):
    """本单位复核事项: the items of open reviews that belong to the user's units; propose keep or
    change for the selected items with one shared reason, or open one to propose on it."""

    template_name = "attributes_app/unit_inbox.html"
    roles = UNIT_ROLES

    def _filters(self):
        form = f.ReviewItemFilterForm(
            self.request.GET or None, units=lists.own_units(self.request.user)
        )
        for name in ("decision", "proposal"):
            del form.fields[name]
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = form.valid_filters()
        return form, filters

    def post(self, request, *args, **kwargs):
        form = f.ReviewProposalForm(request.POST, prefix="bulk")
        ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        status = 200
        if form.is_valid():
            mine = list(
                lists.unit_inbox(request.user)
                .filter(pk__in=ids)
                .order_by()
                .values_list("review_id", flat=True)
                .distinct()
            )
            if not ids:
                form.add_error(None, "请先勾选要提出意见的事项。")
            elif len(mine) != 1:
                form.add_error(
                    None, "所选事项不属于本单位正在进行的同一次复核，请刷新页面后重新选择。"
                )
            else:
                attempt = _attempt(
                    form,
                    lambda: services.review_propose_bulk(
                        actor=request.user,
                        review_id=mine[0],
                        item_ids=ids,
                        proposal=form.proposal(),
                    ),
                )
                if attempt.done:
                    items = attempt.result.items
                    messages.success(request, f"已对{items}项提出意见，送法制审核机构决定。")
                    return HttpResponseRedirect(request.get_full_path())
                if attempt.stale:
                    form.add_error(None, attempt.stale)
                status = attempt.status
        context = self.get_context_data(bulk_form=form, selected=request.POST.getlist("items"))
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, filters = self._filters()
        page, query = page_of(
            self.request, lists.unit_inbox(self.request.user, filters), ITEMS_PAGE
        )
        context.update(
            form=form,
            page=page,
            query=query,
            filtered=any(v for v in filters.values()),
            bulk_form=kwargs.get("bulk_form") or f.ReviewProposalForm(prefix="bulk"),
            selected={str(v) for v in kwargs.get("selected", [])},
            signal_labels=rules.SIGNAL_LABELS,
            ground_guides=GROUND_GUIDES,
        )
        return context


class UnitItemView(RolePageMixin, TemplateView):
    """One item of the unit's inbox: the document, its signals, and the unit's proposal."""

    template_name = "attributes_app/unit_item.html"
    roles = UNIT_ROLES

    def _item(self) -> ReviewItem:
        items = ReviewItem.objects.filter(
            review__agency__in=agencies_of(self.request.user),
            drafting_unit__in=lists.own_units(self.request.user).values("pk"),
        ).select_related("review", "document", "drafting_unit", "proposed_by", "decided_by")
        return get_object_or_404(items, pk=self.kwargs["item_pk"])

    def post(self, request, *args, **kwargs):
        item = self._item()
        form = f.ReviewProposalForm(request.POST)
        status = 200
        if form.is_valid():
            attempt = _attempt(
                form,
                lambda: services.review_propose(
                    actor=request.user, item_id=item.pk, proposal=form.proposal()
                ),
            )
            status = attempt.status
            if attempt.stale:
                messages.warning(request, attempt.stale)
                return HttpResponseRedirect(request.path)
            if attempt.done:
                messages.success(request, f"已对《{item.document.title}》提出意见。")
                return HttpResponseRedirect(reverse("attributes:unit_review:index"))
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self._item()
        initial = {}
        if item.proposal:
            initial = {
                "verdict": item.proposal,
                "attribute": item.proposed_attribute,
                "ground": item.proposed_ground,
                "law": item.proposed_law,
                "reasons": item.proposal_reasons,
            }
        context.update(
            item=item,
            review=item.review,
            signals=_signal_labels(item),
            form=kwargs.get("form") or f.ReviewProposalForm(initial=initial),
            can_propose=item.review.status == AttributeReview.Status.OPEN
            and item.status in (ReviewItem.Status.WITH_UNIT, ReviewItem.Status.PROPOSED),
            ground_guides=GROUND_GUIDES,
        )
        return context


class ReviewViewset(RoleViewset):
    title = "年度复核"
    icon = "published_with_changes"
    app_name = "reviews"
    roles = REVIEW_ROLES

    index_path = path("", ReviewListView.as_view(), name="index")
    job_path = path("jobs/<int:job_pk>/", ReviewJobView.as_view(), name="job")
    job_status_path = path("jobs/<int:job_pk>/status/", review_job_status, name="job_status")
    detail_path = path("<int:pk>/", ReviewItemsView.as_view(), name="detail")
    item_path = path("<int:pk>/items/<int:item_pk>/", ReviewItemView.as_view(), name="item")
    close_path = path("<int:pk>/close/", review_close, name="close")
    report_path = path("<int:pk>/report/", ReviewReportView.as_view(), name="report")


class UnitReviewViewset(RoleViewset):
    title = "本单位复核事项"
    icon = "rule"
    app_name = "unit_review"
    roles = UNIT_ROLES

    index_path = path("", UnitInboxView.as_view(), name="index")
    item_path = path("<int:item_pk>/", UnitItemView.as_view(), name="item")
