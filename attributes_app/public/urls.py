"""This app's public pages of an agency (included by ``config.public_urls`` under
``public/<agency_code>/``, in the ``public`` namespace)."""

urlpatterns: list = []
