"""This app's public pages of an agency (included by ``config.public_urls`` under
``public/<agency_code>/``, in the ``public`` namespace)."""

from django.urls import path

from attributes_app.public import catalogue, directory

urlpatterns: list = [
    # The directory (issue #16 §1). A 索引号 may hold "/", hence ``path:``; a document's text has
    # its own first segment, so that no 索引号 can be mistaken for another page.
    path("directory/", directory.directory, name="directory"),
    path("directory/<path:index_number>/", directory.document, name="document"),
    path("document-text/<path:index_number>", directory.document_text, name="document_text"),
    path("feed/", directory.feed, name="feed"),
    path("sitemap.xml", directory.sitemap, name="sitemap"),
    # The catalogue of disclosure items (政务公开事项标准目录), its latest published version.
    path("catalogue/", catalogue.catalogue_page, name="catalogue"),
    path("catalogue.xlsx", catalogue.catalogue_xlsx, name="catalogue_xlsx"),
]
