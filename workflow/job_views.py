"""The page that waits for a background job (``workflow.jobs``), and its JSON for polling."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from workflow.jobs import reap, status_of
from workflow.models import Job
from workflow.selectors import agencies_of


def job_of(user, pk: int) -> Job:
    """The job ``pk`` when ``user`` submitted it and still works for its agency; else 404.
    A job whose process is gone is marked cut off here (``jobs.reap``)."""
    if not user.is_authenticated:
        raise Http404("没有找到这项任务。")
    return reap(
        get_object_or_404(
            Job.objects.select_related("agency"),
            pk=pk,
            created_by=user,
            agency__in=agencies_of(user),
        )
    )


class JobView(LoginRequiredMixin, TemplateView):
    """Shows the job's state; the page polls ``job_status`` and goes on when it is done."""

    template_name = "workflow/job.html"
    status_url_name = ""  # the URL name of the JSON, set where the view is mounted

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = job_of(self.request.user, kwargs["job_pk"])
        context.update(job=job, state=status_of(job), status_url_name=self.status_url_name)
        return context


def job_status(request, job_pk: int):
    return JsonResponse(status_of(job_of(request.user, job_pk)))
