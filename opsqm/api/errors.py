"""The API's one exception handler: Django errors raised by services become clear JSON answers.

- `StaleEditError` (optimistic locking, `opsqm.records.locking`) → 409 with the site's Chinese
  message, so a concurrent edit is never a 500 and never a silent overwrite;
- any other Django `ValidationError` → 400 with its messages;
- Django `PermissionDenied` / `Http404` are already mapped by DRF (403 / 404).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from opsqm.records.locking import StaleEditError

__all__ = ["api_exception_handler"]


def _messages(exc: DjangoValidationError):
    return exc.message_dict if hasattr(exc, "error_dict") else exc.messages


def api_exception_handler(exc, context):
    if isinstance(exc, StaleEditError):
        return Response({"detail": " ".join(exc.messages), "code": "stale"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        body = _messages(exc)
        return Response(body if isinstance(body, dict) else {"detail": body}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
