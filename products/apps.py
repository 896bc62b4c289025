from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("OCOP register")

    def ready(self):
        from . import sequence  # noqa: F401 (its receivers keep every rating's place in its sequence)
