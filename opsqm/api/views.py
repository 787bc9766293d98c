"""REST API v1: the same access policy and services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from opsqm.accounts.access import can_manage_master_data
from opsqm.api.serializers import CustomerSerializer, ProjectSerializer
from opsqm.org import selectors, services
from opsqm.records.locking import StaleEditError, parse_version


def _service_call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc
    except StaleEditError:
        raise  # 409 with the Chinese message (opsqm.api.errors)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


class VersionedUpdateMixin:
    def _expected_version(self, request, instance) -> int:
        """The version the client read; an edit without it is refused (400), never a silent overwrite."""
        try:
            return parse_version(request.data.get("version"))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc


class ProjectViewSet(VersionedUpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.project_list(
            self.request.user, q=params.get("q", ""), status=params.get("status", ""), customer_id=params.get("customer") or None
        )

    def create(self, request, *args, **kwargs):
        if not can_manage_master_data(request.user):
            raise PermissionDenied("只有质量经理或系统管理员可以新建项目。")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = _service_call(services.project_create, actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()  # 404 for projects the user cannot see
        if not can_manage_master_data(request.user):
            raise PermissionDenied("只有质量经理或系统管理员可以修改项目。")
        expected_version = self._expected_version(request, project)
        serializer = self.get_serializer(project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        project = _service_call(
            services.project_update,
            actor=request.user,
            project=project,
            data=serializer.validated_data,
            expected_version=expected_version,
        )
        return Response(self.get_serializer(project).data)


class CustomerViewSet(VersionedUpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CustomerSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.customer_list(self.request.user, q=params.get("q", ""), industry=params.get("industry", ""))

    def create(self, request, *args, **kwargs):
        if not can_manage_master_data(request.user):
            raise PermissionDenied("只有质量经理或系统管理员可以新建客户。")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = _service_call(services.customer_create, actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        customer = self.get_object()
        if not can_manage_master_data(request.user):
            raise PermissionDenied("只有质量经理或系统管理员可以修改客户。")
        expected_version = self._expected_version(request, customer)
        serializer = self.get_serializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = _service_call(
            services.customer_update,
            actor=request.user,
            customer=customer,
            data=serializer.validated_data,
            expected_version=expected_version,
        )
        return Response(self.get_serializer(customer).data)
