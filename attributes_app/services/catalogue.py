"""The catalogue of disclosure items (政务公开事项标准目录, DOMAIN §5): an item saved from the page,
a checked spreadsheet imported, the catalogue published as a numbered version.

The disclosure office keeps the catalogue (``manage_catalogue``: office_head, admin). The items
are the working copy; ``catalogue_publish`` freezes them into a ``CataloguePublication``, which
is what the public page shows. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from attributes_app import catalogue, permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.models import CatalogueItem, CataloguePublication
from workflow import text_input as limits
from workflow.actors import Actor
from workflow.audit import audit
from workflow.errors import Stale
from workflow.models import Agency
from workflow.text_input import clean_name, strip_bidi, too_long

#: The longest text of each column (characters), as the model's.
TEXT_LIMITS: dict[str, tuple[str, int]] = {
    "area": ("领域", limits.NAME),
    "first_level": ("一级事项", limits.NAME),
    "name": ("二级事项", 200),
    "content": ("公开内容（要素）", limits.REASON),
    "legal_basis": ("公开依据", limits.REASON),
    "time_limit": ("公开时限", limits.NOTE),
    "body": ("公开主体", limits.NOTE),
}
ONE_LINE = ("area", "first_level", "name", "time_limit", "body")
MAX_DAYS = 60


@dataclass(kw_only=True)
class CatalogueItemData:
    """An item's standard columns as typed (``name`` is the 二级事项)."""

    name: str
    content: str
    legal_basis: str
    default_attribute: str = rules.PROACTIVE  # 公开方式
    publication_days: int | None = None
    area: str = ""
    first_level: str = ""
    time_limit: str = ""
    body: str = ""
    channels: Sequence[str] = field(default_factory=list)
    audience: str = CatalogueItem.Audience.PUBLIC
    level_county: bool = True
    level_township: bool = False

    def cleaned(self) -> CatalogueItemData:
        """The same data with invisible characters taken out and one-line text stripped; an
        empty 公开时限 says the working-day limit in the standard's words."""
        values: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in TEXT_LIMITS:
            text = str(values[key] or "")
            values[key] = clean_name(text).strip() if key in ONE_LINE else strip_bidi(text).strip()
        if not values["time_limit"] and values["publication_days"]:
            values["time_limit"] = days_text(values["publication_days"])
        values["channels"] = [code for code in catalogue.CHANNELS if code in set(self.channels)]
        return CatalogueItemData(**values)


def days_text(days: int) -> str:
    return f"自信息形成或者变更之日起{days}个工作日内"


def catalogue_item_problems(data: CatalogueItemData) -> dict[str, str]:
    """What is wrong with ``data`` (already ``cleaned``), by field: the form and the spreadsheet
    import show the same messages."""
    errors: dict[str, str] = {}
    for key, (label, limit) in TEXT_LIMITS.items():
        text = getattr(data, key)
        if "\x00" in text:
            errors[key] = limits.NUL_MESSAGE.format(label=label)
        elif not text:
            errors[key] = f"请填写{label}。"
        elif len(text) > limit:
            errors[key] = too_long(label, limit, len(text))
    if "area" not in errors and data.area not in catalogue.pilot_areas():
        errors["area"] = f"“{data.area}”不是26个试点领域之一，请从列表中选择领域。"
    if not data.channels:
        errors["channels"] = "请至少选择一个公开渠道和载体。"
    if data.audience not in catalogue.AUDIENCES:
        errors["audience"] = "请选择公开对象：全社会或特定群体。"
    if data.default_attribute not in catalogue.METHODS:
        errors["default_attribute"] = "请选择公开方式：主动或依申请。"
    if not (data.level_county or data.level_township):
        errors["levels"] = "请至少选择一个公开层级：县级或乡级。"
    if data.publication_days is not None and not 1 <= data.publication_days <= MAX_DAYS:
        errors["publication_days"] = (
            f"公开时限应为1至{MAX_DAYS}个工作日；留空则按本机关的主动公开期限。"
        )
    return errors


def _values(data: CatalogueItemData) -> dict[str, Any]:
    return {
        "area": data.area,
        "first_level": data.first_level,
        "name": data.name,
        "content": data.content,
        "legal_basis": data.legal_basis,
        "time_limit": data.time_limit,
        "body": data.body,
        "channels": list(data.channels),
        "audience": data.audience,
        "default_attribute": data.default_attribute,
        "level_county": data.level_county,
        "level_township": data.level_township,
        "publication_days": data.publication_days,
    }


DUPLICATE = "本机关目录的同一领域、一级事项下已有同名的二级事项。"


def catalogue_item_save(
    *, actor: Actor, agency: Agency, data: CatalogueItemData, item_id: int | None = None
) -> CatalogueItem:
    """Create or change an item of the catalogue of disclosure items (DOMAIN §5). The change
    is in the working copy until the catalogue is published again."""
    permissions.require(actor, "manage_catalogue", agency=agency)
    data = data.cleaned()
    errors = catalogue_item_problems(data)
    if errors:
        raise ValidationError(errors)
    values = _values(data)
    try:
        with transaction.atomic():
            if item_id is None:
                item = CatalogueItem.objects.create(agency=agency, **values)
                before = ""
            else:
                try:
                    item = CatalogueItem.objects.select_for_update().get(pk=item_id, agency=agency)
                except CatalogueItem.DoesNotExist:
                    raise ValidationError("没有找到这个事项，可能已被删除。") from None
                before = str(item)
                for key, value in values.items():
                    setattr(item, key, value)
                item.save()
            audit(
                actor=actor,
                action=AuditAction.CATALOGUE_ITEM_SAVED,
                obj=item,
                agency=agency,
                from_state=before,
                to_state=str(item),
            )
    except IntegrityError:
        raise ValidationError({"name": DUPLICATE}) from None
    return item


def catalogue_item_delete(*, actor: Actor, agency: Agency, item_id: int) -> None:
    """Take an item out of the working copy (published versions keep it). An item that documents
    are linked to stays: their default attribute and time limit came from it."""
    permissions.require(actor, "manage_catalogue", agency=agency)
    with transaction.atomic():
        try:
            item = CatalogueItem.objects.select_for_update().get(pk=item_id, agency=agency)
        except CatalogueItem.DoesNotExist:
            raise ValidationError("没有找到这个事项，可能已被删除。") from None
        linked = item.documents.count()
        if linked:
            raise ValidationError(
                f"已有{linked}份文件关联“{item.name}”，不能删除。可以修改这个事项，"
                "或先在文件中改选其他事项。"
            )
        name = str(item)
        audit(
            actor=actor,
            action=AuditAction.CATALOGUE_ITEM_DELETED,
            obj=item,
            agency=agency,
            from_state=name,
        )
        item.delete()


def item_key(area: str, first_level: str, name: str) -> tuple[str, str, str]:
    """What identifies an item in a spreadsheet: 领域, 一级事项 and 二级事项."""
    return (area, first_level, name)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def catalogue_import(
    *, actor: Actor, agency: Agency, items: Sequence[CatalogueItemData], file_name: str = ""
) -> ImportResult:
    """Save the items of a checked spreadsheet, all or none: an item with the same 领域,
    一级事项 and 二级事项 as one in the catalogue is changed, any other is added; items the file
    does not mention are left as they are. One audit event names what changed."""
    permissions.require(actor, "manage_catalogue", agency=agency)
    cleaned = [data.cleaned() for data in items]
    keys = [item_key(d.area, d.first_level, d.name) for d in cleaned]
    if len(set(keys)) != len(keys):
        raise ValidationError("表格中有重复的事项（领域、一级事项和二级事项都相同），请重新检查。")
    for number, data in enumerate(cleaned, 1):
        errors = catalogue_item_problems(data)
        if errors:
            raise ValidationError(f"第{number}个事项有误：{'；'.join(errors.values())}")
    created: list[str] = []
    updated: list[str] = []
    unchanged = 0
    with transaction.atomic():
        existing = {
            item_key(item.area, item.first_level, item.name): item
            for item in CatalogueItem.objects.select_for_update().filter(agency=agency)
        }
        for key, data in zip(keys, cleaned, strict=True):
            values = _values(data)
            item = existing.get(key)
            if item is None:
                CatalogueItem.objects.create(agency=agency, **values)
                created.append(data.name)
            elif any(getattr(item, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(item, k, v)
                item.save()
                updated.append(data.name)
            else:
                unchanged += 1
        audit(
            actor=actor,
            action=AuditAction.CATALOGUE_IMPORTED,
            object_type="attributes_app.catalogueitem",
            object_repr=f"{agency.name}公开事项目录",
            agency=agency,
            reason=clean_name(file_name)[:200],
            data={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return ImportResult(created=len(created), updated=len(updated), unchanged=unchanged)


def snapshot_of(items) -> list[dict[str, Any]]:
    """The items as a published version keeps them (and the export writes them): plain values,
    ordered by the list of areas, then 一级事项 and 二级事项."""
    rows = [
        {
            "id": item.pk,
            "area": item.area,
            "first_level": item.first_level,
            "name": item.name,
            "content": item.content,
            "legal_basis": item.legal_basis,
            "time_limit": item.time_limit,
            "body": item.body,
            "channels": [code for code in catalogue.CHANNELS if code in set(item.channels or ())],
            "audience": item.audience,
            "method": item.default_attribute,
            "levels": [
                code
                for code, chosen in (
                    ("county", item.level_county),
                    ("township", item.level_township),
                )
                if chosen
            ],
            "publication_days": item.publication_days,
        }
        for item in items
    ]
    rows.sort(key=lambda r: (catalogue.area_order(r["area"]), r["first_level"], r["name"], r["id"]))
    return rows


def working_copy(agency: Agency) -> list[dict[str, Any]]:
    """The agency's items as they are now (the draft), as ``snapshot_of`` writes them."""
    return snapshot_of(CatalogueItem.objects.filter(agency=agency))


def publication_problems(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Why the working copy cannot be published: an empty catalogue, or items that lack a
    standard column (items kept from before the columns existed)."""
    if not rows:
        return ["目录中还没有事项，不能发布。"]
    problems = []
    for row in rows:
        data = CatalogueItemData(
            name=row["name"],
            content=row["content"],
            legal_basis=row["legal_basis"],
            default_attribute=row["method"],
            publication_days=row["publication_days"],
            area=row["area"],
            first_level=row["first_level"],
            time_limit=row["time_limit"],
            body=row["body"],
            channels=row["channels"],
            audience=row["audience"],
            level_county="county" in row["levels"],
            level_township="township" in row["levels"],
        )
        errors = catalogue_item_problems(data)
        if errors:
            problems.append(f"“{row['name']}”：{'；'.join(errors.values())}")
    return problems


def catalogue_publish(
    *, actor: Actor, agency: Agency, note: str = "", expected_version: int | None = None
) -> CataloguePublication:
    """Publish the working copy as the next version of the agency's catalogue (DOMAIN §5: the
    catalogue is reviewed and published, and adjusted dynamically).

    ``expected_version``: the latest version the officer saw (0 for none); if another version was
    published since, the step is refused rather than publishing twice."""
    permissions.require(actor, "manage_catalogue", agency=agency)
    note = clean_name(note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": limits.NUL_MESSAGE.format(label="发布说明")})
    if len(note) > limits.NOTE:
        raise ValidationError({"note": too_long("发布说明", limits.NOTE, len(note))})
    with transaction.atomic():
        # The agency's row serialises two publications of its catalogue.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        latest = (
            CataloguePublication.objects.filter(agency=agency).aggregate(v=Max("version"))["v"] or 0
        )
        if expected_version is not None and expected_version != latest:
            raise Stale(f"在您打开页面后，目录已经发布了第{latest}版。请核对后再发布。")
        rows = working_copy(agency)
        problems = publication_problems(rows)
        if problems:
            raise ValidationError(problems)
        last = CataloguePublication.objects.filter(agency=agency, version=latest).first()
        if last is not None and last.items == rows:
            raise ValidationError(f"目录自第{latest}版发布以来没有修改，不需要再发布。")
        publication = CataloguePublication.objects.create(
            agency=agency,
            version=latest + 1,
            published_at=timezone.now(),
            published_by=actor,
            note=note,
            item_count=len(rows),
            items=rows,
        )
        audit(
            actor=actor,
            action=AuditAction.CATALOGUE_PUBLISHED,
            obj=publication,
            agency=agency,
            from_state=f"第{latest}版" if latest else "",
            to_state=f"第{publication.version}版",
            reason=note,
            data={"items": len(rows)},
        )
    return publication
