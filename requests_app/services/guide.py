"""The agency's 政府信息公开指南 (Art. 12): its draft, the draft's fields, and publishing, which
freezes the words.

Every service takes the actor, checks the permission table (``guide_edit``, ``guide_publish``:
the disclosure office's head, or the administrator), locks what it changes and writes an audit
event (who, when, from, to, why).
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import fields as dataclass_fields
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import GuideAction
from requests_app.models import Guide
from requests_app.rules import guide as words
from workflow.actors import Actor
from workflow.audit import audit
from workflow.errors import Invalid, Stale
from workflow.models import Agency
from workflow.text_input import NUL_MESSAGE, clean_name, strip_bidi, too_long

DRAFT = Guide.Status.DRAFT
PUBLISHED = Guide.Status.PUBLISHED
OF_WHAT = "公开指南"

#: The fields an office edits, in the form's order (the rest of the row is the system's).
CONTENT_FIELDS: tuple[str, ...] = (
    "office_name",
    "office_address",
    "office_postcode",
    "office_hours",
    "office_phone",
    "office_fax",
    "office_email",
    "online_channel",
    "proactive_scope",
    "proactive_channels",
    "proactive_time_limit",
    "application_notes",
    "reconsideration_organ",
    "court",
    "court_after_reconsideration",
    "supervision_notes",
    "other_notes",
)
#: What Art. 12 and the remedy clause (DOMAIN §3.8) need before a guide can be published.
REQUIRED_TO_PUBLISH: tuple[str, ...] = (
    "office_name",
    "office_address",
    "office_hours",
    "office_phone",
    "proactive_scope",
    "proactive_channels",
    "proactive_time_limit",
    "reconsideration_organ",
    "court",
)
_POSTCODE = re.compile(r"\d{6}")


def label(name: str) -> str:
    """A field's name in Chinese."""
    return str(Guide._meta.get_field(name).verbose_name)


def _limit(name: str) -> int:
    return int(Guide._meta.get_field(name).max_length)


def _multi_line(name: str) -> bool:
    from django.db.models import TextField

    return isinstance(Guide._meta.get_field(name), TextField)


def clean_value(name: str, value) -> str:
    """One field's value as stored: invisible characters removed, NUL refused, the limit kept,
    the postcode and e-mail checked. Raises ``Invalid`` keyed by the field, naming it."""
    if name not in CONTENT_FIELDS:
        raise Invalid({"__all__": f"公开指南没有“{str(name)[:20]}”这一项。"})
    name_cn = label(name)
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise Invalid({name: NUL_MESSAGE.format(label=name_cn)})
    text = (strip_bidi(text) if _multi_line(name) else clean_name(text)).strip()
    if not _multi_line(name):
        text = " ".join(text.split())  # one line
    limit = _limit(name)
    if len(text) > limit:
        raise Invalid({name: too_long(name_cn, limit, len(text))})
    if name == "office_postcode" and text and not _POSTCODE.fullmatch(text):
        raise Invalid({name: "邮政编码应为6位数字。"})
    if name == "office_email" and text:
        try:
            validate_email(text)
        except ValidationError:
            raise Invalid({name: "电子邮箱的格式不正确，例如：gongkai@example.gov.cn。"}) from None
    return text


def prefill(agency: Agency) -> dict[str, str]:
    """A first draft from the agency's own data, so that an office does not start from a blank
    page: its disclosure office, contacts, remedies and publication rule; what only the office
    knows (office hours, fax, e-mail, another online channel) stays empty for it to fill in.
    This site's own online application is not a field: publishing lists it among the ways to
    apply, with its address, whenever the page is installed (``apply_address``)."""
    return {
        "office_name": agency.office_name or agency.name,
        "office_address": agency.office_address,
        "office_postcode": agency.office_postcode,
        "office_phone": agency.office_phone,
        "proactive_scope": words.DEFAULT_SCOPE,
        "proactive_channels": words.DEFAULT_CHANNELS,
        "proactive_time_limit": words.default_time_limit(
            agency.publication_rule, agency.publication_working_days, agency.publication_hours
        ),
        "reconsideration_organ": agency.reconsideration_organ,
        "court": agency.court,
        "court_after_reconsideration": agency.court_after_reconsideration,
    }


#: The fields a draft takes from the agency's own data (``Agency``), which may change later.
FROM_AGENCY: tuple[str, ...] = (
    "office_name",
    "office_address",
    "office_postcode",
    "office_phone",
    "reconsideration_organ",
    "court",
    "court_after_reconsideration",
)


def agency_changes(guide: Guide, agency: Agency) -> dict[str, str]:
    """The fields of ``guide`` whose value in the agency's data is now another (and not empty):
    field → the agency's value. A revision can take them over (``guide_save``)."""
    found = {}
    for name, value in prefill(agency).items():
        if name not in FROM_AGENCY or not value:
            continue
        # A value the guide would refuse is shown as it is; taking it over says why not.
        with suppress(ValidationError):
            value = clean_value(name, value)
        if getattr(guide, name) != value:
            found[name] = value
    return found


def apply_address(agency_code: str, *, base: str = "") -> str:
    """The address of this site's online application page for the agency, written out in full
    (a printed guide must still tell it), or "" when that page is not installed. The site's
    address is ``GONGKAI_PUBLIC_URL`` when set (the staff may reach the server by another
    address than the public), else ``base`` (the officer's request: scheme and host)."""
    try:
        path = reverse("public:apply", kwargs={"agency_code": agency_code})
    except NoReverseMatch:
        return ""
    site = (getattr(settings, "GONGKAI_PUBLIC_URL", "") or base).rstrip("/")
    return site + path


def facts_of(guide: Guide, agency_name: str, *, apply_url: str = "") -> words.GuideFacts:
    names = {f.name for f in dataclass_fields(words.GuideFacts)} - {"agency_name", "apply_url"}
    return words.GuideFacts(
        agency_name=agency_name,
        apply_url=apply_url,
        **{name: getattr(guide, name) for name in names},
    )


def guide_draft(*, actor: Actor, agency: Agency | int) -> Guide:
    """The agency's guide draft, created when there is none: a revision starts from the last
    published version, a first guide from the agency's data (``prefill``)."""
    agency_id = getattr(agency, "pk", agency)
    permissions.require_agency(actor, agency_id, "guide_edit", of_what=OF_WHAT)
    with transaction.atomic():
        # Lock the agency's row: two people starting the first draft at once make one.
        agency_row = Agency.objects.select_for_update().get(pk=agency_id)
        draft = Guide.objects.filter(agency_id=agency_id, status=DRAFT).first()
        if draft is not None:
            return draft
        last = (
            Guide.objects.filter(agency_id=agency_id, status=PUBLISHED).order_by("-version").first()
        )
        if last is not None:
            values = {name: getattr(last, name) for name in CONTENT_FIELDS}
            origin = f"以第{last.version}版为基础"
        else:
            values = {name: clean_value(name, value) for name, value in prefill(agency_row).items()}
            origin = "按本机关信息生成"
        draft = Guide.objects.create(
            agency_id=agency_id,
            version=(last.version + 1) if last else 1,
            status=DRAFT,
            created_by=actor,
            created_at=timezone.now(),
            **values,
        )
        audit(
            actor=actor,
            action=GuideAction.GUIDE_DRAFTED,
            obj=draft,
            agency=agency_id,
            to_state=DRAFT,
            reason=origin,
            data={"version": draft.version},
        )
    return draft


def _locked_draft(guide_id: int, actor: Actor, step: str, agency_id: int | None) -> Guide:
    guide = Guide.objects.select_for_update().filter(pk=guide_id).first()
    if guide is None or (agency_id is not None and guide.agency_id != agency_id):
        raise Invalid({"__all__": "找不到这份公开指南。"})
    permissions.require_agency(actor, guide.agency_id, step, of_what=OF_WHAT)
    if guide.status != DRAFT:
        raise Stale(
            f"公开指南第{guide.version}版已于"
            f"{timezone.localtime(guide.published_at):%Y年%m月%d日 %H:%M}发布，不能再修改；"
            "如需修订，请新建草稿。"
        )
    return guide


def guide_save(
    *, actor: Actor, guide_id: int, values: dict[str, object], agency_id: int | None = None
) -> Guide:
    """Change a draft's fields (``CONTENT_FIELDS``); every value is checked before any is
    saved, and all the problems are reported at once, each under its field."""
    with transaction.atomic():
        guide = _locked_draft(guide_id, actor, "guide_edit", agency_id)
        cleaned: dict[str, str] = {}
        problems: dict[str, list[str]] = {}
        for name, value in values.items():
            try:
                cleaned[name] = clean_value(name, value)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    problems.setdefault(field, []).extend(messages)
        if problems:
            raise Invalid(problems)
        changed = sorted(name for name, text in cleaned.items() if getattr(guide, name) != text)
        if changed:
            for name in changed:
                setattr(guide, name, cleaned[name])
            guide.save()
            audit(
                actor=actor,
                action=GuideAction.GUIDE_EDITED,
                obj=guide,
                agency=guide.agency_id,
                data={"changed": changed, "version": guide.version},
            )
    return guide


def publish_problems(guide: Guide) -> list[str]:
    """What keeps the draft from being published (Art. 12's contents, the remedy's organ and
    court: a guide without them would mislead an applicant about where to turn)."""
    return [f"请填写“{label(name)}”。" for name in REQUIRED_TO_PUBLISH if not getattr(guide, name)]


def guide_publish(
    *,
    actor: Actor,
    guide_id: int,
    note: str = "",
    agency_id: int | None = None,
    now: datetime | None = None,
    site: str = "",
) -> Guide:
    """Publish the draft: its words are written out (``rules.guide``) and frozen with the row.
    A revision (version 2 on) says what changed (``note``). ``site``: the scheme and host the
    publishing officer used, for the online application's address (``apply_address``)."""
    now = now or timezone.now()
    with transaction.atomic():
        guide = _locked_draft(guide_id, actor, "guide_publish", agency_id)
        if "\x00" in str(note):
            raise Invalid({"note": NUL_MESSAGE.format(label="发布说明")})
        note = clean_name(str(note or "")).strip()
        limit = _limit("publish_note")
        if len(note) > limit:
            raise Invalid({"note": too_long("发布说明", limit, len(note))})
        problems = publish_problems(guide)
        if guide.version > 1 and not note:
            problems.append(f"这是第{guide.version}版（修订版本），请在发布说明中写明修订了什么。")
        if problems:
            raise Invalid({"__all__": ["公开指南不能发布：", *problems]})
        agency_name, agency_code = Agency.objects.values_list("name", "code").get(
            pk=guide.agency_id
        )
        facts = facts_of(guide, agency_name, apply_url=apply_address(agency_code, base=site))
        guide.snapshot = {
            "title": words.title(agency_name),
            "sections": words.to_json(words.sections(facts)),
        }
        guide.publish_note = note
        guide.status = PUBLISHED
        guide.published_at = now
        guide.published_by = actor
        guide.save()
        audit(
            actor=actor,
            action=GuideAction.GUIDE_PUBLISHED,
            obj=guide,
            agency=guide.agency_id,
            from_state=DRAFT,
            to_state=PUBLISHED,
            reason=note,
            data={"version": guide.version},
            at=now,
        )
    return guide
