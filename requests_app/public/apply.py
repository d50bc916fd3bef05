"""在线申请: the public online application form (issue #16 §2, Art. 29), and the page that shows
its number and query code once.

The form asks what Art. 29 asks, in words for a citizen, and is checked by the registration's
own rules (``submission_create``), so the registrar is never handed an application that cannot be
registered. It is received only when the registrar confirms it (Art. 31(3)).

The query code is shown once and never stored in clear. No session exists on the public side, so
the submission's page after the redirect is reached by a signed token that lives ten minutes and
carries a random seed, not the code: the code is derived from the seed with the secret key, so
the address (in a log, in the browser's history) does not reveal it. The first showing spends the
token (a cache key); a reload says the code was shown already.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from requests_app.forms import UploadField, UploadFormMixin, _choice, _text
from requests_app.models import CaseDocument, InformationRequest, OnlineSubmission
from requests_app.services import OnlineApplication, submission_create
from requests_app.services.registration import validate_registration
from requests_app.services.submissions import form_problems, registration_of
from requests_app.uploads import accepted_text, check_total
from workflow import text_input as limits
from workflow.public.codes import ALPHABET, LENGTH, hash_query_code
from workflow.public.throttle import client_address, throttle
from workflow.public.views import public_agency
from workflow.text_input import TextRulesMixin

logger = logging.getLogger(__name__)

R = InformationRequest
K = CaseDocument.Kind

#: How long the page with the query code can be opened after submitting.
DONE_SECONDS = 10 * 60
_DONE_SALT = "gongkai.public.apply-done"
_CODE_SALT = b"gongkai.public.apply-code"

PERSON_ONLY = ("id_type", "id_number")
ORGANIZATION_ONLY = ("organization_kind", "credit_code", "legal_representative", "contact_person")
UPLOADS = {"id_proof_files": K.ID_PROOF, "other_files": K.OTHER}


class CaptchaInput(CaptchaTextInput):
    """The CAPTCHA image with Chinese words and a 换一张 button (``apply.js``)."""

    template_name = "public/requests_app/captcha_widget.html"


class PublicCaptchaField(CaptchaField):
    def clean(self, value):
        # NUL in the key or the answer is a wrong answer, said as one (not Django's message).
        if isinstance(value, list | tuple) and any("\x00" in str(v or "") for v in value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().clean(value)


class ApplicationForm(TextRulesMixin, UploadFormMixin, forms.Form):
    """Art. 29: who applies and how to reach them, what is wanted, in what form and how it is
    to be delivered; for a citizen, not an officer."""

    applicant_kind = _choice(
        "申请人类型",
        [
            (R.ApplicantKind.PERSON, "自然人（以个人名义申请）"),
            (R.ApplicantKind.ORGANIZATION, "法人或者其他组织（以单位名义申请）"),
        ],
        widget=forms.RadioSelect,
    )
    applicant_name = _text(
        "申请人姓名或者名称",
        limits.NAME,
        required=True,
        help_text="个人填写姓名；单位填写营业执照等证照上的全称。",
    )
    id_type = _choice("身份证件类型", R.IdType.choices, required=False)
    id_number = _text("身份证件号码", limits.ID_NUMBER, help_text="居民身份证号码为18位。")
    organization_kind = _choice("单位类别", R.OrganizationKind.choices, required=False)
    credit_code = _text("统一社会信用代码", 18, help_text="18位，见营业执照或登记证书。")
    legal_representative = _text("法定代表人或者主要负责人", limits.PERSON_NAME)
    contact_person = _text("联系人", limits.PERSON_NAME, help_text="本单位负责这件申请的人。")
    phone = _text("联系电话", limits.PHONE)
    email = _text("电子邮箱", 254)
    address = _text("通讯地址", limits.ADDRESS, help_text="选择邮寄的，请写到门牌号。")
    postcode = _text("邮政编码", 6)
    agent_name = _text("代理人姓名", limits.PERSON_NAME)
    agent_id_number = _text("代理人身份证件号码", limits.ID_NUMBER)
    agent_phone = _text("代理人联系电话", limits.PHONE)
    description = forms.CharField(
        label="需要的政府信息",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=limits.DESCRIPTION,
        error_messages={"required": "请填写您需要的政府信息。"},
        help_text=(
            "请写明政府信息的名称、文号，或者便于行政机关查询的其他特征性描述"
            "（《政府信息公开条例》第二十九条），例如：“某市2025年老旧小区改造项目的资金拨付明细”。"
            "描述越具体，越便于查找和答复。"
        ),
    )
    document_names = forms.CharField(
        label="文件名称、文号（知道的可以填写）",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.REASON,
    )
    form_wanted = _choice(
        "希望以什么形式获取",
        R.Form.choices,
        widget=forms.RadioSelect,
        help_text="《政府信息公开条例》第四十条：行政机关根据您的要求和保存的实际情况确定提供的形式。",
    )
    delivery = _choice(
        "希望以什么方式送达",
        R.Delivery.choices,
        widget=forms.RadioSelect,
        help_text="选择电子邮件的请填写电子邮箱，选择邮寄的请填写通讯地址。",
    )
    accessibility_needs = _text(
        "需要的帮助",
        200,
        help_text="有阅读困难或者视听障碍的，可以写明需要什么帮助（《政府信息公开条例》第四十三条）。",
    )
    id_proof_files = UploadField(
        kind=K.ID_PROOF,
        label="身份证明（可选）",
        help_text="个人的身份证件，单位的营业执照或登记证书的照片或扫描件。"
        + accepted_text(K.ID_PROOF),
    )
    other_files = UploadField(
        kind=K.OTHER,
        label="授权委托书等其他材料",
        help_text="委托代理人申请的，请上传授权委托书。" + accepted_text(K.OTHER),
    )
    declaration = forms.BooleanField(
        label="我承诺以上填写的内容真实，所附材料真实有效。",
        error_messages={"required": "请阅读并勾选承诺后再提交。"},
    )
    captcha = PublicCaptchaField(
        label="验证码",
        widget=CaptchaInput(),
        help_text="请输入图片中的4个字母（不区分大小写）。看不清的，点“换一张”。",
        error_messages={
            "invalid": "验证码不正确或已过期，请输入新图片中的字母。",
            "required": "请填写验证码。",
            "incomplete": "请填写验证码。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Phones show the right keyboard; the checks stay the server's.
        self.fields["email"].widget.input_type = "email"
        for name in ("phone", "agent_phone"):
            self.fields[name].widget.input_type = "tel"
        self.fields["postcode"].widget.attrs["inputmode"] = "numeric"
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["required"] = f"请选择{field.label}。"

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_kind")
        cleared = ORGANIZATION_ONLY if kind == R.ApplicantKind.PERSON else ()
        if kind == R.ApplicantKind.ORGANIZATION:
            cleared = PERSON_ONLY
        for name in cleared:
            data[name] = ""
            self.errors.pop(name, None)
        if data.get("agent_name") and not data.get("other_files") and "other_files" in data:
            self.add_error("other_files", "委托代理人申请的，请上传授权委托书。")
        sizes = [f.size for name in UPLOADS for f in data.get(name) or []]
        try:
            check_total(sizes, label="所附材料")
        except ValidationError as error:
            self.add_error(None, error)
        # The registration's own rules (the service checks them again), so that every problem
        # is shown at once, under its field; a field already refused keeps its own message.
        application = self.application()
        today = timezone.localdate()
        problems = validate_registration(
            registration_of(application, submitted_on=today, receipt_date=today), today=today
        )
        for name, message in form_problems(application).items():
            problems.setdefault(name, message)
        problems.pop("power_of_attorney", None)  # the upload above says it in the form's words
        for name, message in problems.items():
            target = name if name in self.fields else None
            if target is None or target not in self.errors:
                self.add_error(target, message)
        return data

    def application(self) -> OnlineApplication:
        data = self.cleaned_data
        values = {name: data.get(name) or "" for name in APPLICATION_FIELDS}
        values["power_of_attorney"] = bool(data.get("agent_name") and data.get("other_files"))
        values["kind"] = R.Kind.DISCLOSURE
        return OnlineApplication(**values)

    def attachments(self) -> dict[str, list]:
        return {kind: self.cleaned_data.get(name) or [] for name, kind in UPLOADS.items()}

    def identity(self) -> str:
        """The number the applicant is known by (ID number or credit code), for the limit."""
        data = self.cleaned_data
        return (data.get("credit_code") or data.get("id_number") or "").strip().upper()

    # The template's groups
    def person_fields(self):
        return [self[n] for n in PERSON_ONLY]

    def organization_fields(self):
        return [self[n] for n in ORGANIZATION_ONLY]

    def contact_fields(self):
        return [self[n] for n in ("phone", "email", "address", "postcode")]

    def agent_fields(self):
        return [self[n] for n in ("agent_name", "agent_id_number", "agent_phone")]

    def request_fields(self):
        return [self[n] for n in ("description", "document_names")]

    def delivery_fields(self):
        return [self[n] for n in ("form_wanted", "delivery", "accessibility_needs")]


APPLICATION_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "organization_kind",
    "credit_code",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "agent_name",
    "agent_id_number",
    "agent_phone",
    "description",
    "document_names",
    "form_wanted",
    "delivery",
    "accessibility_needs",
)
#: The service's field names that the form shows under another name (its upload fields are
#: named ``<kind>_files``, as the form's).
SERVICE_FIELDS = {"power_of_attorney": "other_files"}


# -- the query code ------------------------------------------------------------------------------


def code_from_seed(seed: str) -> str:
    """The query code behind ``seed``: twelve characters of ``workflow.public.codes``' alphabet
    in groups of four, drawn from an HMAC of the seed under the secret key (about 59 bits)."""
    key = hashlib.sha256(_CODE_SALT + settings.SECRET_KEY.encode()).digest()
    number = int.from_bytes(hmac.new(key, seed.encode(), hashlib.sha256).digest(), "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    raw = "".join(chars)
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def done_token(submission: OnlineSubmission, seed: str) -> str:
    return signing.dumps({"s": submission.pk, "n": seed}, salt=_DONE_SALT, compress=True)


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {"__all__": error.messages}
    found: dict[str, list[str]] = {}
    for name, errors in error.error_dict.items():
        target = SERVICE_FIELDS.get(name, name)
        found.setdefault(target, []).extend(m for e in errors for m in e.messages)
    return found


# -- the pages -----------------------------------------------------------------------------------


@csrf_protect
@never_cache
def apply(request, agency_code: str):
    """The form (GET), and its submission (POST → the page with the code)."""
    agency = public_agency(agency_code)
    if request.method == "POST":
        throttle(
            request,
            scope="apply-attempt",
            limit=settings.GONGKAI_PUBLIC_APPLY_ATTEMPTS_PER_ADDRESS_HOUR,
            window=3600,
        )
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            throttle(
                request,
                scope="apply",
                key=client_address(request),
                limit=settings.GONGKAI_PUBLIC_APPLY_PER_ADDRESS_HOUR,
                window=3600,
            )
            if form.identity():
                throttle(
                    request,
                    scope="apply-identity",
                    key=f"{agency.pk}:{form.identity()}",
                    limit=settings.GONGKAI_PUBLIC_APPLY_PER_IDENTITY_DAY,
                    window=24 * 3600,
                )
            seed = secrets.token_urlsafe(16)
            try:
                submission = submission_create(
                    actor=None,
                    agency=agency,
                    data=form.application(),
                    query_code_hash=hash_query_code(code_from_seed(seed)),
                    attachments=form.attachments(),
                )
            except ValidationError as error:
                for name, messages in _field_errors(error).items():
                    for message in messages:
                        form.add_error(name if name in form.fields else None, message)
            else:
                url = reverse("public:apply_done", kwargs={"agency_code": agency.code})
                return HttpResponseRedirect(f"{url}?t={done_token(submission, seed)}")
    else:
        form = ApplicationForm(
            initial={"applicant_kind": R.ApplicantKind.PERSON, "id_type": R.IdType.RESIDENT_ID}
        )
    return render(request, "public/requests_app/apply.html", {"agency": agency, "form": form})


def _first_showing(seed: str) -> bool:
    """Whether the code behind ``seed`` is shown for the first time: the first showing spends
    the token, so a reload (or a copied address) gets no code. A cache that is down shows it
    again rather than lose it: the applicant has no other way to learn it."""
    try:
        return bool(cache.add(f"public-apply-done:{seed}", 1, timeout=DONE_SECONDS + 60))
    except Exception:
        logger.exception("query code shown without spending its token: the cache is unavailable")
        return True


@never_cache
def apply_done(request, agency_code: str):
    """The submission's number and, the first time only, its query code."""
    agency = public_agency(agency_code)
    context: dict = {"agency": agency, "submission": None, "code": "", "expired": False}
    try:
        token = signing.loads(request.GET.get("t", "")[:500], salt=_DONE_SALT, max_age=DONE_SECONDS)
        submission_id, seed = int(token["s"]), str(token["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        context["expired"] = True
    else:
        submission = (
            OnlineSubmission.objects.filter(pk=submission_id, agency=agency)
            .only("number", "submitted_at", "agency_id")
            .first()
        )
        if submission is None:
            context["expired"] = True
        else:
            context["submission"] = submission
            if _first_showing(seed):
                context["code"] = code_from_seed(seed)
    response = render(request, "public/requests_app/apply_done.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response
