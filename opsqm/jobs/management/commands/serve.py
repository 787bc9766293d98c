"""Serve opsqm: gunicorn for the web and a Huey consumer for background jobs, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404 # starts our own gunicorn and Huey consumer with fixed arguments
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务（gunicorn）和后台任务进程（Huey），Ctrl+C 同时停止。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("OPSQM_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="只启动 Web（后台任务由其他机器的 worker 处理）")

    def handle(self, *args, **options):
        bin_dir = os.path.dirname(sys.executable)
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="opsqm.settings")
        procs: list[subprocess.Popen] = []
        if not options["no_worker"]:
            procs.append(subprocess.Popen([os.path.join(bin_dir, "opsqm"), "run_huey"], env=env))  # nosec B603 # fixed argv, no shell
        web = subprocess.Popen(
            [  # nosec B603 # fixed argv (host/port are parsed options), no shell
                os.path.join(bin_dir, "gunicorn"),
                "opsqm.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["web_workers"]),
                "--threads",
                "4",
                # A gthread worker otherwise accepts every waiting connection itself: a burst of
                # keep-alive clients then lands on one process (one core, its GIL) while the
                # others idle. Two connections per thread spreads them over the workers.
                "--worker-connections",
                "8",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
            ],
            env=env,
        )
        procs.append(web)
        self.stdout.write(
            self.style.SUCCESS(
                f"opsqm 已启动：http://{options['host']}:{options['port']}/ （数据库：{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}）"
            )
        )

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
