#!/usr/bin/env bash
# Runs at every boot before the agent: writes /etc/vmpool/agent.json from the instance's user
# data (JSON with the agent's config keys, set by the control plane at launch). The agent
# refuses to start on a bad config and says why; this script only moves the data.
set -euo pipefail

IMDS=http://169.254.169.254
CONFIG=/etc/vmpool/agent.json

# IMDSv2: a session token first.
token="$(curl -fsS -X PUT "${IMDS}/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
user_data="$(curl -fsS -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/latest/user-data" || true)"

if [ -z "${user_data}" ]; then
  echo "vmpool-boot: no user data; keeping ${CONFIG} as it is" >&2
  exit 0
fi

# Only the agent's own keys are taken; anything else in user data is ignored.
config="$(printf '%s' "${user_data}" | jq -e '{
    "database-url", "functions-base-url", "api-key", "project-id", "auth-domain", "archive-bucket"
  } | with_entries(select(.value != null))')" || {
  echo "vmpool-boot: user data is not the expected JSON object" >&2
  exit 1
}

install -d -m 0755 /etc/vmpool
umask 077
tmp="$(mktemp /etc/vmpool/.agent.json.XXXXXX)"
printf '%s\n' "${config}" > "${tmp}"
# Readable by the agent only, not by the show server (ubuntu).
chown vmpool-agent:vmpool-agent "${tmp}"
mv "${tmp}" "${CONFIG}"
echo "vmpool-boot: wrote ${CONFIG}"
