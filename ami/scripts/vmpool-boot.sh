#!/usr/bin/env bash
# Runs at every boot before OBS, the show server and the agent: writes /etc/vmpool/agent.json
# from the instance's user data (JSON with the agent's config keys, set by the control plane
# at launch), and the obs-websocket password from SSM Parameter Store (a SecureString named by
# the user data's "obs-websocket-password-parameter") into the three places that need it:
# the agent's config, OBS's websocket settings and the show server's environment. The
# password never passes through user data or the database. The agent refuses to start on a
# bad config and says why; this script only moves the data.
set -euo pipefail

IMDS=http://169.254.169.254
CONFIG=/etc/vmpool/agent.json
SHOW_SERVER_ENV=/etc/vmpool/show-server.env
APP_USER=ubuntu
# The agent runs as its own user; its config is readable by it alone, not by the show server.
AGENT_USER=vmpool-agent
OBS_DIRS=(/home/ubuntu/.config/obs-studio /home/ubuntu/obs-config-template)

# IMDSv2: a session token first.
token="$(curl -fsS -X PUT "${IMDS}/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
imds() { curl -fsS -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/latest/$1"; }
user_data="$(imds user-data || true)"

if [ -z "${user_data}" ]; then
  echo "vmpool-boot: no user data; keeping ${CONFIG} as it is" >&2
  exit 0
fi

# Only the agent's own keys are taken; anything else in user data is ignored.
config="$(printf '%s' "${user_data}" | jq -e '{
    "database-url", "functions-base-url", "api-key", "project-id", "auth-domain", "archive-bucket",
    "obs-websocket-url", "stream-interval-ms"
  } | with_entries(select(.value != null))')" || {
  echo "vmpool-boot: user data is not the expected JSON object" >&2
  exit 1
}
parameter="$(printf '%s' "${user_data}" | jq -r '."obs-websocket-password-parameter" // empty')"

password=""
# "yes": OBS and the show server get this boot's password (or none); "no": left as they are.
update_obs=yes
if [ -n "${parameter}" ]; then
  region="$(imds meta-data/placement/region)"
  # The instance profile needs ssm:GetParameter on this parameter and kms:Decrypt on its key.
  if password="$(aws ssm get-parameter --region "${region}" --name "${parameter}" \
    --with-decryption --query Parameter.Value --output text)" && [ -n "${password}" ]; then
    config="$(printf '%s' "${config}" | jq --arg password "${password}" '. + {"obs-websocket-password": $password}')"
  else
    # The agent still starts (a VM without its agent is invisible to the pool); it reports
    # OBS as not connected, "OBS requires a password", until the parameter can be read.
    echo "vmpool-boot: cannot read SSM parameter ${parameter} (or it is empty); the agent starts without the OBS password and OBS keeps its settings" >&2
    password=""
    update_obs=no
  fi
fi

install -d -m 0755 /etc/vmpool
umask 077
write_private() { # file content [owner]: written atomically, mode 0600, owned by owner (app user)
  local tmp owner="${3:-${APP_USER}}"
  tmp="$(mktemp "$(dirname "$1")/.$(basename "$1").XXXXXX")"
  printf '%s\n' "$2" > "${tmp}"
  chown "${owner}:${owner}" "${tmp}"
  mv "${tmp}" "$1"
}
write_private "${CONFIG}" "${config}" "${AGENT_USER}"
echo "vmpool-boot: wrote ${CONFIG}"

if [ "${update_obs}" = no ]; then
  exit 0
fi

# The show server reads OBS_WEBSOCKET_PASSWORD (show-server.service: EnvironmentFile).
if [ -n "${password}" ]; then
  write_private "${SHOW_SERVER_ENV}" "OBS_WEBSOCKET_PASSWORD=${password}"
else
  rm -f "${SHOW_SERVER_ENV}"
fi

# OBS's websocket: authentication on with the password, or off without one. OBS 28/29 read
# global.ini [OBSWebSocket]; OBS 30+ read plugin_config/obs-websocket/config.json. The live
# config and the reset template both get it, so reset_obs_config keeps the password.
for dir in "${OBS_DIRS[@]}"; do
  [ -d "${dir}" ] || continue
  json="${dir}/plugin_config/obs-websocket/config.json"
  if [ -f "${json}" ]; then
    updated="$(jq --arg password "${password}" \
      '.auth_required = ($password != "") | .server_password = $password' "${json}")"
    write_private "${json}" "${updated}"
  fi
  ini="${dir}/global.ini"
  if [ -f "${ini}" ] && grep -q '^\[OBSWebSocket\]' "${ini}"; then
    updated="$(PASSWORD="${password}" python3 - "${ini}" <<'PY'
import os, sys
password = os.environ["PASSWORD"]
wanted = {"AuthRequired": "true" if password else "false", "ServerPassword": password}
out, section, seen = [], None, set()
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    stripped = line.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        if section == "OBSWebSocket":
            out.extend(f"{k}={v}" for k, v in wanted.items() if k not in seen)
        section = stripped[1:-1]
    elif section == "OBSWebSocket" and "=" in stripped:
        key = stripped.split("=", 1)[0]
        if key in wanted:
            line = f"{key}={wanted[key]}"
            seen.add(key)
    out.append(line)
if section == "OBSWebSocket":
    out.extend(f"{k}={v}" for k, v in wanted.items() if k not in seen)
print("\n".join(out))
PY
)"
    write_private "${ini}" "${updated}"
  fi
done
echo "vmpool-boot: obs-websocket authentication $([ -n "${password}" ] && echo on || echo off)"
