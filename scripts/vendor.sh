#!/usr/bin/env bash
# Copies the front-end files opsqm serves from node_modules (installed from package-lock.json)
# into opsqm/static/vendor/. The vendor folder is generated, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=opsqm/static/vendor
rm -rf "$out"
mkdir -p "$out/bootstrap" "$out/bootstrap-icons/fonts" "$out/echarts" "$out/htmx"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$out/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$out/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$out/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$out/bootstrap-icons/fonts/"
cp node_modules/echarts/dist/echarts.min.js "$out/echarts/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
mkdir -p "$out/tom-select"
cp node_modules/tom-select/dist/js/tom-select.complete.min.js node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css "$out/tom-select/"
