from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opsqm.accounts.access import can_manage_master_data, get_customer_or_404, get_project_or_404, visible_projects
from opsqm.org import selectors, services
from opsqm.org.forms import CustomerForm, ProjectForm
from opsqm.org.models import Department, ProjectStatus, ServiceItem, Staff
from opsqm.records.locking import StaleEditError, form_version
from opsqm.records.selectors import present_events
from opsqm.web import master_data_required, org_wide_required, paginate, querystring_without


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "customer_id": request.GET.get("customer", "") or None,
    }
    qs = selectors.project_list(request.user, **filters)
    return render(
        request,
        "org/project_list.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "statuses": ProjectStatus.choices,
            "customers": selectors.customer_list(request.user).only("pk", "name"),
            "can_edit": can_manage_master_data(request.user),
            "qs_no_page": querystring_without(request, "page"),
        },
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=pk)
    tab = request.GET.get("tab", "overview")
    context = {
        "project": project,
        "tab": tab,
        "members": project.memberships.select_related("user").order_by("user__username"),
        "service_items": project.service_items.all(),
        "can_edit": can_manage_master_data(request.user),
    }
    if tab == "history":
        context["history_page"] = paginate(request, selectors.project_history(project, request.user), 30)
        context["history_rows"] = present_events(context["history_page"].object_list)
    return render(request, "org/project_detail.html", context)


@master_data_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        project = services.project_create(
            actor=request.user, data=data, members=data.pop("members"), service_items=data.pop("service_items")
        )
        messages.success(request, _("项目“%(name)s”已创建。") % {"name": project.name})
        return redirect("org:project_detail", pk=project.pk)
    return render(request, "org/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=pk)  # foreign projects are 404 before any permission talk
    if not can_manage_master_data(request.user):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, instance=project, initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            project = services.project_update(
                actor=request.user,
                project=project,
                data=data,
                expected_version=form_version(data.get("version")),
                members=data.pop("members"),
                service_items=data.pop("service_items"),
            )
        except StaleEditError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("项目已保存。"))
            return redirect("org:project_detail", pk=project.pk)
    return render(request, "org/project_form.html", {"form": form, "project": project})


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    filters = {"q": request.GET.get("q", "").strip(), "industry": request.GET.get("industry", "")}
    qs = selectors.customer_list(request.user, **filters)
    return render(
        request,
        "org/customer_list.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "industries": selectors.customer_industries(request.user),
            "can_edit": can_manage_master_data(request.user),
            "qs_no_page": querystring_without(request, "page"),
        },
    )


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_or_404(request.user, pk=pk)
    tab = request.GET.get("tab", "overview")
    context = {
        "customer": customer,
        "tab": tab,
        "projects": visible_projects(request.user).filter(customer=customer).select_related("ops_manager"),
        "can_edit": can_manage_master_data(request.user),
    }
    if tab == "history":
        context["history_page"] = paginate(request, selectors.customer_history(customer), 30)
        context["history_rows"] = present_events(context["history_page"].object_list)
    return render(request, "org/customer_detail.html", context)


@master_data_required
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = services.customer_create(actor=request.user, data=form.cleaned_data)
        messages.success(request, _("客户“%(name)s”已创建。") % {"name": customer.name})
        return redirect("org:customer_detail", pk=customer.pk)
    return render(request, "org/customer_form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_or_404(request.user, pk=pk)
    if not can_manage_master_data(request.user):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, instance=customer, initial={"version": customer.version})
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_update(
                actor=request.user,
                customer=customer,
                data=form.cleaned_data,
                expected_version=form_version(form.cleaned_data.get("version")),
            )
        except StaleEditError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("客户信息已保存。"))
            return redirect("org:customer_detail", pk=customer.pk)
    return render(request, "org/customer_form.html", {"form": form, "customer": customer})


@org_wide_required
def staff_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    qs = Staff.objects.select_related("user", "department", "post").order_by("employee_no")
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(user__full_name__icontains=q) | Q(user__username__icontains=q) | Q(employee_no__icontains=q))
    if department:
        qs = qs.filter(department_id=department)
    return render(
        request,
        "org/staff_list.html",
        {
            "page": paginate(request, qs, 40),
            "departments": Department.objects.all(),
            "filters": {"q": q, "department": department},
            "qs_no_page": querystring_without(request, "page"),
        },
    )


@login_required
def service_catalog(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "org/service_catalog.html",
        {
            "items": ServiceItem.objects.order_by("category", "code"),
            "categories": ServiceItem.Category,
        },
    )
