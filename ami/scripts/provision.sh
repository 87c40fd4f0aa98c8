#!/usr/bin/env bash
# Provisions the vmpool streaming AMI (Ubuntu 22.04). Run by Packer as root; the files it
# installs were uploaded to /tmp by the Packer template.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:?NODE_VERSION is required}"
SHOW_SERVER_REPO="${SHOW_SERVER_REPO:?SHOW_SERVER_REPO is required}"
SHOW_SERVER_REF="${SHOW_SERVER_REF:-main}"
APP_USER=ubuntu
APP_HOME=/home/ubuntu
AGENT_USER=vmpool-agent
export DEBIAN_FRONTEND=noninteractive

step() { printf '\n==> %s\n' "$*"; }

step "base packages"
apt-get update -y
apt-get install -y --no-install-recommends \
  ca-certificates curl gnupg git xvfb xz-utils software-properties-common unzip jq \
  mesa-utils libgl1-mesa-dri awscli acl

step "OBS Studio (obsproject PPA; Ubuntu 22.04's own OBS 27 has no built-in websocket)"
add-apt-repository -y ppa:obsproject/obs-studio
apt-get update -y
apt-get install -y --no-install-recommends obs-studio

step "Nimble Streamer"
curl -fsSL https://nimblestreamer.com/gpg.key | gpg --dearmor -o /usr/share/keyrings/nimble.gpg
echo "deb [signed-by=/usr/share/keyrings/nimble.gpg] http://nimblestreamer.com/ubuntu jammy/" \
  > /etc/apt/sources.list.d/nimble.list
apt-get update -y
apt-get install -y nimble

step "Node.js ${NODE_VERSION} (official tarball, checksum verified)"
cd /tmp
tarball="node-v${NODE_VERSION}-linux-x64.tar.xz"
curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/${tarball}"
curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/SHASUMS256.txt"
grep " ${tarball}\$" SHASUMS256.txt | sha256sum -c -
tar -xJf "${tarball}" -C /usr/local --strip-components=1
ln -sf /usr/local/bin/node /usr/bin/node
ln -sf /usr/local/bin/npm /usr/bin/npm
node --version

step "show server"
sudo -u "${APP_USER}" git clone --branch "${SHOW_SERVER_REF}" "${SHOW_SERVER_REPO}" "${APP_HOME}/gymnastics-graphics"
sudo -u "${APP_USER}" npm ci --omit=dev --no-audit --no-fund --prefix "${APP_HOME}/gymnastics-graphics/server"
sudo -u "${APP_USER}" mkdir -p "${APP_HOME}/recordings"

step "OBS configuration (websocket on 4455, recordings folder) and its reset template"
obs_major="$(dpkg-query -W -f='${Version}' obs-studio | sed -E 's/^([0-9]+:)?([0-9]+).*/\2/')"
obs_dir="${APP_HOME}/.config/obs-studio"
install -d -o "${APP_USER}" -g "${APP_USER}" "${obs_dir}"
install -m 0644 -o "${APP_USER}" -g "${APP_USER}" /tmp/vmpool-config/obs-global.ini "${obs_dir}/global.ini"
if [ "${obs_major}" -ge 30 ]; then
  # OBS 30+ reads the websocket settings from the plugin's own config file.
  install -d -o "${APP_USER}" -g "${APP_USER}" "${obs_dir}/plugin_config/obs-websocket"
  install -m 0600 -o "${APP_USER}" -g "${APP_USER}" /tmp/vmpool-config/obs-websocket.json \
    "${obs_dir}/plugin_config/obs-websocket/config.json"
else
  # OBS 28/29 keep them in global.ini, section [OBSWebSocket].
  cat /tmp/vmpool-config/obs-websocket-global.ini >> "${obs_dir}/global.ini"
fi
sudo -u "${APP_USER}" cp -R "${obs_dir}" "${APP_HOME}/obs-config-template"
echo "OBS ${obs_major}: websocket configured"

step "vmpool agent: its own user, root-owned code and wrappers, exact sudo grants"
# The agent runs as vmpool-agent, apart from the show server and OBS (ubuntu), which face the
# internet: no login, no home, its state in /var/lib/vmpool-agent (0700, systemd creates it).
if ! id -u "${AGENT_USER}" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "${AGENT_USER}"
fi
install -d -m 0755 -o root -g root /opt/vmpool-agent /etc/vmpool /usr/local/lib/vmpool
install -m 0644 -o root -g root /tmp/vmpool-agent.mjs /opt/vmpool-agent/agent.mjs
install -m 0755 -o root -g root /tmp/vmpool-boot.sh /usr/local/sbin/vmpool-boot
# The wrappers validate their arguments and run journalctl / the AWS CLI with a fixed argv;
# sudoers grants them (and the catalogue's other exact lines) and nothing else.
install -m 0755 -o root -g root /tmp/vmpool-bin/vmpool-logs /usr/local/lib/vmpool/vmpool-logs
install -m 0755 -o root -g root /tmp/vmpool-bin/vmpool-archive /usr/local/lib/vmpool/vmpool-archive
install -m 0440 -o root -g root /tmp/vmpool-config/sudoers-vmpool-agent /etc/sudoers.d/vmpool-agent
visudo -cf /etc/sudoers.d/vmpool-agent

step "OBS's scenes and profiles: the agent may read and write them (show state export/import)"
# While in_use the agent exports OBS's scene collection and profile, and on a failover spare it
# imports them (issue 12); OBS runs as ubuntu. The agent gets exactly those two folders, no
# sudo: the group vmpool-obs may pass through ubuntu's home to them (x only) and read and write
# in basic/scenes and basic/profiles; default ACLs keep what either side creates there usable by
# the other (OBS saves with umask 022; the agent's restored profile folder must stay writable
# for OBS). Nothing else under /home/ubuntu is readable by the agent.
groupadd --system -f vmpool-obs
usermod --append --groups vmpool-obs "${AGENT_USER}"
install -d -m 0755 -o "${APP_USER}" -g "${APP_USER}" \
  "${obs_dir}/basic" "${obs_dir}/basic/scenes" "${obs_dir}/basic/profiles"
setfacl -m g:vmpool-obs:--x "${APP_HOME}" "${APP_HOME}/.config" "${obs_dir}" "${obs_dir}/basic"
for shared in "${obs_dir}/basic/scenes" "${obs_dir}/basic/profiles"; do
  setfacl -m "g:vmpool-obs:rwx,u:${APP_USER}:rwx" "${shared}"
  setfacl -d -m "g:vmpool-obs:rwX,u:${APP_USER}:rwX" "${shared}"
done
getfacl --absolute-names "${obs_dir}/basic/scenes" "${obs_dir}/basic/profiles"

step "the show server's user (ubuntu) gets no root"
# Ubuntu's cloud images give the default user passwordless sudo (cloud-init writes
# /etc/sudoers.d/90-cloud-init-users) and the sudo, adm and lxd groups (lxd alone is root).
# The show server and OBS run as ubuntu and face the internet: none of that stays. Admins reach
# a VM through SSM, whose ssm-user is separate.
install -m 0644 /tmp/vmpool-config/cloud-init-default-user.cfg /etc/cloud/cloud.cfg.d/99-vmpool-default-user.cfg
usermod --groups audio,video "${APP_USER}"
rm -f /etc/sudoers.d/90-cloud-init-users

step "systemd units"
install -m 0644 /tmp/vmpool-units/*.service /etc/systemd/system/
install -d /etc/systemd/system/nimble.service.d
install -m 0644 /tmp/vmpool-config/nimble-restart.conf /etc/systemd/system/nimble.service.d/restart.conf
systemctl daemon-reload
systemctl enable xvfb.service obs-headless.service show-server.service nimble.service \
  vmpool-boot.service vmpool-agent.service

step "clean up: no state from the build instance may reach the pool"
rm -rf /var/lib/vmpool-agent /etc/vmpool/agent.json /tmp/vmpool-* "/tmp/${tarball}" /tmp/SHASUMS256.txt
apt-get clean
cloud-init clean --logs || true
