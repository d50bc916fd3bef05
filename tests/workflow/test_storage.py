"""Where files are kept (docs/storage.md): the settings that choose local disk or an
S3-compatible object store, and the storage helpers on both (the object store is moto's server,
``tests/object_storage.py``)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone
from storages.backends.s3 import S3Storage

from config.settings import file_storage
from tests.object_storage import environment
from workflow.storage import remove_folder, stored_files, write_exactly

OSS = "https://s3.oss-cn-hangzhou.aliyuncs.com"


def storage_for(environ) -> S3Storage:
    setting = file_storage(environ)
    assert setting["BACKEND"] == "storages.backends.s3.S3Storage"
    return S3Storage(**setting["OPTIONS"])


def test_local_disk_is_the_default():
    assert file_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert file_storage({"GONGKAI_STORAGE": "local"}) == file_storage({})


def test_virtual_addressing_and_the_s3_signature_make_the_clients_config():
    # Aliyun OSS answers only virtual-host requests (bucket.endpoint); some stores want the
    # older signature.
    storage = storage_for(
        environment(
            OSS,
            "gongkai-files",
            GONGKAI_S3_ADDRESSING_STYLE="virtual",
            GONGKAI_S3_SIGNATURE_VERSION="s3",
            GONGKAI_S3_REGION="oss-cn-hangzhou",
        )
    )
    config = storage.connection.meta.client.meta.config
    assert config.s3 == {"addressing_style": "virtual"}
    assert config.signature_version == "s3"
    assert storage.connection.meta.client.meta.endpoint_url == OSS
    assert storage.connection.meta.client.meta.region_name == "oss-cn-hangzhou"
    url = urlsplit(storage.url("cases/2026/03/a.pdf", expire=45))
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "gongkai-files.s3.oss-cn-hangzhou.aliyuncs.com",
        "/cases/2026/03/a.pdf",
    )
    query = parse_qs(url.query)
    assert set(query) == {"AWSAccessKeyId", "Signature", "Expires"}  # the s3 (v2) query signature
    expires = int(query["Expires"][0]) - int(timezone.now().timestamp())
    assert 40 <= expires <= 45


def test_path_addressing_and_the_default_s3v4_signature():
    storage = storage_for(environment("http://127.0.0.1:9", "gongkai-files"))
    config = storage.connection.meta.client.meta.config
    assert (config.s3, config.signature_version) == ({"addressing_style": "path"}, "s3v4")
    url = urlsplit(storage.url("cases/a.pdf", expire=30))
    assert (url.netloc, url.path) == ("127.0.0.1:9", "/gongkai-files/cases/a.pdf")
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["30"]


def test_the_object_stores_options_from_the_environment():
    options = file_storage(
        environment(
            OSS,
            "gongkai-files",
            GONGKAI_S3_ADDRESSING_STYLE="auto",
            GONGKAI_S3_PREFIX="/xiaoyi/",
            GONGKAI_STORAGE_URL_SECONDS="120",
        )
    )["OPTIONS"]
    assert options["addressing_style"] is None  # boto3 decides
    assert options["location"] == "xiaoyi"
    assert options["querystring_expire"] == 120
    # A new file never replaces another one of the same name; objects are private.
    assert options["file_overwrite"] is False and options["default_acl"] is None
    assert (options["access_key"], options["secret_key"]) == ("gongkai-test", "gongkai-test-secret")


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"GONGKAI_STORAGE": "ftp"}, "GONGKAI_STORAGE"),
        ({"GONGKAI_S3_BUCKET": ""}, "GONGKAI_S3_BUCKET"),
        ({"GONGKAI_S3_ADDRESSING_STYLE": "vhost"}, "GONGKAI_S3_ADDRESSING_STYLE"),
        ({"GONGKAI_S3_SIGNATURE_VERSION": "v2"}, "GONGKAI_S3_SIGNATURE_VERSION"),
        ({"GONGKAI_STORAGE_URL_SECONDS": "soon"}, "GONGKAI_STORAGE_URL_SECONDS"),
    ],
)
def test_a_wrong_setting_is_named(changes, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        file_storage({**environment(OSS, "gongkai-files"), **changes})


# -- the helpers, on disk and in the bucket ------------------------------------------------------


def test_on_disk_the_helpers_work_on_files(settings):
    storage = FileSystemStorage(location=settings.MEDIA_ROOT)
    write_exactly(storage, "cases/2026/03/a.pdf", b"one")
    write_exactly(storage, "cases/2026/03/a.pdf", b"two")  # replaced, not renamed
    storage.save("cases/2026/b.pdf", ContentFile(b"b"))
    listed = dict(stored_files(storage, "cases"))
    assert set(listed) == {"cases/2026/03/a.pdf", "cases/2026/b.pdf"}
    assert storage.open("cases/2026/03/a.pdf").read() == b"two"
    assert abs(listed["cases/2026/b.pdf"] - timezone.now()) < timedelta(minutes=1)
    remove_folder(storage, "cases/2026/03")
    assert not (settings.MEDIA_ROOT / "cases/2026/03").exists()
    assert list(stored_files(storage, "nothing-here")) == []


@pytest.mark.django_db
def test_in_the_bucket_the_helpers_work_on_objects(s3):
    write_exactly(default_storage, "cases/2026/03/a.pdf", b"one")
    write_exactly(default_storage, "cases/2026/03/a.pdf", b"two")
    default_storage.save("cases/2026/b.pdf", ContentFile(b"b"))
    default_storage.save("older-imports/x/upload.xlsx", ContentFile(b"x"))
    listed = dict(stored_files(default_storage, "cases"))
    assert set(listed) == {"cases/2026/03/a.pdf", "cases/2026/b.pdf"}
    assert s3.read("cases/2026/03/a.pdf") == b"two"
    assert abs(listed["cases/2026/b.pdf"] - timezone.now()) < timedelta(minutes=5)
    remove_folder(default_storage, "cases/2026/03")
    assert s3.stored() == {"cases/2026/b.pdf", "older-imports/x/upload.xlsx"}


@pytest.mark.django_db
def test_a_prefix_keeps_the_files_in_a_folder_of_a_shared_bucket(s3, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": file_storage(environment(s3.endpoint, s3.name, GONGKAI_S3_PREFIX="xiaoyi")),
    }
    write_exactly(default_storage, "cases/a.pdf", b"a")
    name = default_storage.save("cases/a.pdf", ContentFile(b"b"))
    assert name != "cases/a.pdf"  # a free name, as on disk
    assert s3.stored() == {"xiaoyi/cases/a.pdf", f"xiaoyi/{name}"}
    assert set(dict(stored_files(default_storage, "cases"))) == {"cases/a.pdf", name}
