import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.settings")
application = get_wsgi_application()

# Load the URLconf (and with it every view module) now rather than on the first request:
# code only, no data is read, so the first request after a restart costs what any other does.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
