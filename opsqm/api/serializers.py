from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from opsqm.org.models import Customer, Project


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name"]


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "code", "name", "industry", "contact_name", "contact_phone", "contact_email", "address", "notes", "version"]
        read_only_fields = ["id", "version"]


class ProjectSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    ops_manager = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))
    quality_specialist = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "customer",
            "customer_name",
            "status",
            "status_display",
            "contract_start",
            "contract_end",
            "contract_value",
            "ops_manager",
            "quality_specialist",
            "department",
            "time_zone",
            "description",
            "version",
        ]
        read_only_fields = ["id", "version", "customer_name", "status_display"]

    def validate(self, attrs):
        start = attrs.get("contract_start", getattr(self.instance, "contract_start", None))
        end = attrs.get("contract_end", getattr(self.instance, "contract_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"contract_end": "合同结束日期不能早于开始日期。"})
        return attrs
