#!/usr/bin/env bash
# Installs everything supplygraph needs, from nothing, and is quick when all is there already:
# Debian packages (a JDK, Maven, iproute2, Chromium for pictures and browser tests), a virtual
# environment in .venv with the pinned Python packages, and the Neo4j kernel (fetched by Maven).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v ss >/dev/null || missing+=(iproute2)
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test]'
  touch "$stamp"
fi

echo "setup: fetching and building the local Neo4j"
.venv/bin/supplygraph db build
