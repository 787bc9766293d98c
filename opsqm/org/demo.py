"""Demo company: departments, 40 staff with every role, 10 customers, 12 projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from opsqm.accounts.models import ExternalGrant
from opsqm.accounts.roles import Role
from opsqm.accounts.services import user_create
from opsqm.demo import DEMO_PASSWORD, DemoContext
from opsqm.org.models import Customer, Department, Post, PostCategory, Project, ProjectMembership, ProjectStatus, ServiceItem, Staff

DEPARTMENTS = [
    ("GMO", "总经理办公室"),
    ("QMD", "质量管理部"),
    ("OPS", "运行维护部"),
    ("PMD", "项目管理部"),
    ("TSD", "技术支持部"),
    ("SVD", "服务台"),
    ("HRD", "人力资源部"),
]
POSTS = [
    ("总经理", PostCategory.MANAGEMENT),
    ("质量经理", PostCategory.MANAGEMENT),
    ("运维经理", PostCategory.MANAGEMENT),
    ("质量专员", PostCategory.TECHNICAL),
    ("系统工程师", PostCategory.TECHNICAL),
    ("网络工程师", PostCategory.TECHNICAL),
    ("数据库工程师", PostCategory.TECHNICAL),
    ("服务台坐席", PostCategory.OPERATIONS),
    ("值班运维员", PostCategory.OPERATIONS),
    ("人事专员", PostCategory.MANAGEMENT),
]
# username, full name, role, department code, post
NAMED_USERS = [
    ("admin", "系统管理员", Role.ADMIN, "QMD", "质量专员"),
    ("qm", "王丽华", Role.QUALITY_MANAGER, "QMD", "质量经理"),
    ("spec_a", "李明", Role.QUALITY_SPECIALIST, "QMD", "质量专员"),
    ("spec_b", "赵倩", Role.QUALITY_SPECIALIST, "QMD", "质量专员"),
    ("ops_a", "张伟", Role.OPS_MANAGER, "OPS", "运维经理"),
    ("ops_b", "刘洋", Role.OPS_MANAGER, "OPS", "运维经理"),
    ("ops_c", "陈静", Role.OPS_MANAGER, "PMD", "运维经理"),
    ("ops_d", "杨帆", Role.OPS_MANAGER, "PMD", "运维经理"),
    ("auditor", "周敏", Role.AUDITOR, "TSD", "系统工程师"),
    ("auditor2", "吴刚", Role.AUDITOR, "HRD", "人事专员"),
    ("mgmt", "孙建国", Role.MGMT_REP, "GMO", "总经理"),
    ("gm", "郑海峰", Role.GM_OFFICE, "GMO", "总经理"),
    ("reviewer", "林评审（第三方）", Role.EXTERNAL_REVIEWER, None, None),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建华", "志强", "秀英", "海燕", "文博", "晓东", "婷婷", "俊杰", "丽娟", "国庆", "思远", "雪梅", "子涵", "宇航", "晨曦"]
CUSTOMERS = [
    ("C001", "华东电网信息通信分公司", "能源"),
    ("C002", "江南市人民医院", "医疗"),
    ("C003", "东海银行数据中心", "金融"),
    ("C004", "滨江区政务服务中心", "政务"),
    ("C005", "远航物流集团", "物流"),
    ("C006", "明德大学信息中心", "教育"),
    ("C007", "新城地铁运营公司", "交通"),
    ("C008", "恒信证券", "金融"),
    ("C009", "绿源水务集团", "公共事业"),
    ("C010", "北辰制造股份有限公司", "制造"),
]
PROJECTS = [
    ("PRJ-A", "华东电网数据中心基础设施运维", 0, "ops_a", "spec_a", 3_800_000),
    ("PRJ-B", "江南市人民医院 HIS 系统运维", 1, "ops_b", "spec_b", 1_650_000),
    ("PRJ-C", "东海银行核心网络运维", 2, "ops_c", "spec_a", 5_200_000),
    ("PRJ-D", "滨江政务云平台运维", 3, "ops_d", "spec_b", 2_900_000),
    ("PRJ-E", "远航物流 IT 桌面与网络运维", 4, "ops_a", "spec_b", 860_000),
    ("PRJ-F", "明德大学校园网运维", 5, "ops_b", "spec_a", 1_200_000),
    ("PRJ-G", "新城地铁综合监控系统运维", 6, "ops_c", "spec_b", 4_100_000),
    ("PRJ-H", "恒信证券交易系统运维", 7, "ops_d", "spec_a", 3_300_000),
    ("PRJ-I", "绿源水务 SCADA 运维", 8, "ops_a", "spec_a", 990_000),
    ("PRJ-J", "北辰制造 MES 系统运维", 9, "ops_b", "spec_b", 1_450_000),
    ("PRJ-K", "东海银行灾备中心运维", 2, "ops_c", "spec_a", 2_750_000),
    ("PRJ-L", "江南市人民医院机房改造运维（筹备）", 1, "ops_d", "spec_b", 680_000),
]
SERVICE_ITEMS = [
    ("SV-01", "日常巡检", ServiceItem.Category.ROUTINE, "按巡检计划对服务器、网络、存储、机房环境进行巡检并出具巡检报告。"),
    ("SV-02", "监控值守", ServiceItem.Category.ROUTINE, "7×24 监控告警值守与初步处置。"),
    ("SV-03", "备份与恢复", ServiceItem.Category.ROUTINE, "按策略执行数据备份并定期做恢复演练。"),
    ("SV-04", "故障响应与处理", ServiceItem.Category.RESPONSE, "按 SLA 响应和处理事件，必要时升级。"),
    ("SV-05", "服务请求处理", ServiceItem.Category.RESPONSE, "账号、权限、软件安装等标准服务请求。"),
    ("SV-06", "应急响应", ServiceItem.Category.RESPONSE, "重大事件应急处置与恢复，按预案执行。"),
    ("SV-07", "性能优化", ServiceItem.Category.OPTIMIZATION, "容量与性能分析，提出并实施优化方案。"),
    ("SV-08", "安全加固", ServiceItem.Category.OPTIMIZATION, "漏洞修复、基线加固与安全配置核查。"),
    ("SV-09", "运行评估", ServiceItem.Category.CONSULTING, "年度系统运行状况评估与改进建议。"),
]


def load(ctx: DemoContext) -> None:
    hashed = make_password(DEMO_PASSWORD)  # one hash for every demo login keeps the load fast
    departments = {code: Department.objects.create(code=code, name=name) for code, name in DEPARTMENTS}
    posts = {name: Post.objects.create(name=name, category=cat) for name, cat in POSTS}
    employee_no = 1000

    def add_staff(user, dept_code, post_name):
        nonlocal employee_no
        employee_no += 1
        Staff.objects.create(
            user=user,
            employee_no=f"E{employee_no}",
            department=departments[dept_code],
            post=posts[post_name],
            phone=f"138{ctx.rng.randrange(10**7, 10**8)}",
            joined_on=ctx.today - dt.timedelta(days=ctx.rng.randrange(200, 3000)),
        )

    for username, full_name, role, dept, post in NAMED_USERS:
        user = user_create(username=username, password_hash=hashed, role=role, full_name=full_name, email=f"{username}@demo.opsqm")
        ctx.users[username] = user
        if dept:
            add_staff(user, dept, post)
    engineers = []
    pool = [("OPS", "系统工程师"), ("OPS", "网络工程师"), ("TSD", "数据库工程师"), ("SVD", "服务台坐席"), ("OPS", "值班运维员")]
    i = 0
    while Staff.objects.count() < 40:
        i += 1
        dept, post = pool[i % len(pool)]
        name = SURNAMES[ctx.rng.randrange(len(SURNAMES))] + GIVEN[ctx.rng.randrange(len(GIVEN))]
        user = user_create(
            username=f"eng{i:02d}",
            password_hash=hashed,
            role=Role.AUDITOR if i % 9 == 0 else Role.OPS_MANAGER,
            full_name=name,
            email=f"eng{i:02d}@demo.opsqm",
        )
        add_staff(user, dept, post)
        engineers.append(user)
    departments["QMD"].head = ctx.users["qm"]
    departments["QMD"].save()
    departments["GMO"].head = ctx.users["gm"]
    departments["GMO"].save()

    items = [ServiceItem.objects.create(code=c, name=n, category=cat, description=d) for c, n, cat, d in SERVICE_ITEMS]
    for code, name, industry in CUSTOMERS:
        ctx.customers.append(
            Customer.objects.create(
                code=code,
                name=name,
                industry=industry,
                contact_name=SURNAMES[ctx.rng.randrange(20)] + "主任",
                contact_phone=f"0571-{ctx.rng.randrange(10**7, 10**8)}",
                contact_email=f"it@{code.lower()}.example.cn",
            )
        )
    year_start = dt.date(ctx.today.year, 1, 1)
    for n, (code, name, cust, ops, spec, value) in enumerate(PROJECTS):
        status = ProjectStatus.PLANNING if code == "PRJ-L" else ProjectStatus.CLOSED if code == "PRJ-K" else ProjectStatus.ACTIVE
        # Running contracts end between two months and two and a half years from now.
        end = ctx.today + dt.timedelta(days=60 + 75 * n)
        if status == ProjectStatus.CLOSED:
            end = ctx.today - dt.timedelta(days=20)
        start = min(end - dt.timedelta(days=365 * (2 + n % 2)), year_start - dt.timedelta(days=30 * n))
        project = Project.objects.create(
            code=code,
            name=name,
            customer=ctx.customers[cust],
            status=status,
            contract_start=start,
            contract_end=end,
            contract_value=Decimal(value),
            ops_manager=ctx.users[ops],
            quality_specialist=ctx.users[spec],
            department=departments["OPS" if n % 2 == 0 else "PMD"],
            description=f"{ctx.customers[cust].name}的运维服务项目。",
        )
        project.service_items.set(items[: 4 + n % 5])
        for engineer in ctx.rng.sample(engineers, 3):
            ProjectMembership.objects.create(project=project, user=engineer, duty=engineer.staff.post.name)
        ctx.projects.append(project)
    grant = ExternalGrant.objects.create(
        user=ctx.users["reviewer"],
        purpose="ITSS 三级符合性评估（第三方评审）",
        valid_from=ctx.now - dt.timedelta(days=1),
        valid_until=ctx.now + dt.timedelta(days=30),
        granted_by=ctx.users["qm"],
    )
    grant.projects.set(ctx.projects[:2])
    ctx.log(f"组织数据：{Staff.objects.count()} 名员工，{len(ctx.customers)} 个客户，{len(ctx.projects)} 个项目")
