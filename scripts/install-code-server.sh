#!/usr/bin/env bash
# Installs what test/code-server.test.ts needs: code-server from npm, the Node 22 it runs on (the `node`
# package from npm), and Debian's chromium. Only the npm registry and apt are used; nothing is downloaded
# from GitHub. Idempotent: a second run only checks and prints where things are (well under a second).
#
#   scripts/install-code-server.sh
#
# Installs into $CHOKEPOINT_EDITOR_DIR, by default ~/.cache/chokepoint-editor ($XDG_CACHE_HOME if set):
# outside the repository, because its ~800 MB would slow down everything that walks the tree (vsce
# alone takes 4 s instead of 1 s to list the .vsix contents with it in the repo root).
#
# Prints the code-server launcher's path on the last line of stdout. The launcher ($DIR/bin/code-server)
# runs code-server under the Node 22 installed here, whatever `node` is on PATH.
#
# Three things the plain `npm install code-server` gets wrong on this kind of machine, and what is done:
# - code-server's postinstall.sh refuses to run as root under npm unless npm_config_unsafe_perm=true
#   (npm >= 7 no longer knows the --unsafe-perm flag, but the script only reads that variable).
# - code-server builds native modules (kerberos, spdlog, native-watchdog, sqlite3, ...) with node-gyp,
#   which fetches Node's headers from nodejs.org unless told where they are: npm_config_nodedir points
#   at the headers that ship inside the npm `node` package (and overrides a nodedir in ~/.npmrc).
# - @vscode/ripgrep's postinstall downloads rg from GitHub, but first looks in
#   $TMPDIR/vscode-ripgrep-cache-<version>/: a tarball of Debian's /usr/bin/rg is put there.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${CHOKEPOINT_EDITOR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chokepoint-editor}
CODE_SERVER_VERSION=4.117.0   # the newest code-server that runs on Node 22 (4.133.0 and later need Node 24)
NODE_VERSION=22.23.3          # npm package `node`; code-server's postinstall insists on major 22

NODE_PREFIX=$DIR/node-$NODE_VERSION
NODE_BIN=$NODE_PREFIX/node_modules/node/bin/node
CS_PREFIX=$DIR/code-server-$CODE_SERVER_VERSION
CS_PKG=$CS_PREFIX/node_modules/code-server
LAUNCHER=$DIR/bin/code-server

log() { echo "install-code-server: $*" >&2; }

# --- Debian packages, only when missing ------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Screenshots show the checklist's ✅/❌ answers: chromium needs a colour emoji font for them.
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
# For code-server's native modules (node-gyp): a compiler, make, python3, and Kerberos headers.
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Fast path: already installed ----------------------------------------------------------------
if [ -f "$CS_PREFIX/.installed" ] && [ -x "$LAUNCHER" ] && [ -x "$NODE_BIN" ]; then
  log "code-server $CODE_SERVER_VERSION already installed"
  echo "$LAUNCHER"
  exit 0
fi

start=$(date +%s)
mkdir -p "$DIR/bin"

# --- Node 22 from npm ---------------------------------------------------------------------------
if [ ! -x "$NODE_BIN" ]; then
  log "npm install node@$NODE_VERSION into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  # allowScripts: npm 11 only warns about unreviewed install scripts; a later npm blocks them without it.
  echo "{\"name\":\"chokepoint-editor-node\",\"private\":true,\"allowScripts\":{\"node@$NODE_VERSION\":true}}" >"$NODE_PREFIX/package.json"
  (cd "$NODE_PREFIX" && npm install --no-audit --no-fund --no-save "node@$NODE_VERSION" >&2)
fi
"$NODE_BIN" --version >/dev/null
# The headers (include/node/*.h, common.gypi) ship with the platform package `node` pulls in.
NODE_DIR=$(cd "$NODE_PREFIX/node_modules/node/node_modules" && for d in node-*; do
  [ -f "$d/include/node/common.gypi" ] && { echo "$PWD/$d"; break; }; done)
[ -n "$NODE_DIR" ] || { log "no Node headers under $NODE_PREFIX/node_modules/node/node_modules"; exit 1; }

# --- ripgrep for @vscode/ripgrep's postinstall ---------------------------------------------------
# The versions come from the code-server tarball itself (its lib/vscode shrinkwrap) and from the
# @vscode/ripgrep tarball (the release tag its postinstall asks GitHub for), so bumping
# CODE_SERVER_VERSION needs no other change here. Both tarballs land in npm's cache either way.
RG_TMP=$DIR/tmp
mkdir -p "$RG_TMP"
pack_dir=$(mktemp -d "$RG_TMP/pack.XXXXXX")
cs_tgz=$(cd "$pack_dir" && npm pack --silent "code-server@$CODE_SERVER_VERSION" 2>/dev/null | tail -1)
rg_pkg_version=$(tar xzOf "$pack_dir/$cs_tgz" package/lib/vscode/npm-shrinkwrap.json |
  "$NODE_BIN" -e 'const s = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(s.packages["node_modules/@vscode/ripgrep"].version)')
rg_tgz=$(cd "$pack_dir" && npm pack --silent "@vscode/ripgrep@$rg_pkg_version" 2>/dev/null | tail -1)
rg_release=$(tar xzOf "$pack_dir/$rg_tgz" package/lib/postinstall.js | sed -n "s/^const VERSION = '\([^']*\)';.*/\1/p")
rm -rf "$pack_dir"
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-musl ;;
  *) log "no ripgrep cache name known for $(uname -m)"; exit 1 ;;
esac
[ -n "$rg_release" ] || { log "cannot read the ripgrep release from @vscode/ripgrep@$rg_pkg_version"; exit 1; }
rg_cache=$RG_TMP/vscode-ripgrep-cache-$rg_pkg_version
mkdir -p "$rg_cache"
rg_stage=$(mktemp -d "$RG_TMP/rg.XXXXXX")
cp "$(command -v rg)" "$rg_stage/rg"
tar czf "$rg_cache/ripgrep-$rg_release-$rg_target.tar.gz" -C "$rg_stage" rg
rm -rf "$rg_stage"
log "ripgrep: Debian's $(rg --version | head -1) stands in for @vscode/ripgrep@$rg_pkg_version ($rg_release)"

# --- code-server ---------------------------------------------------------------------------------
log "npm install code-server@$CODE_SERVER_VERSION into $CS_PREFIX (builds native modules; a few minutes)"
rm -rf "$CS_PREFIX"
mkdir -p "$CS_PREFIX"
echo "{\"name\":\"chokepoint-editor\",\"private\":true,\"allowScripts\":{\"code-server@$CODE_SERVER_VERSION\":true,\"argon2\":true}}" >"$CS_PREFIX/package.json"
(
  cd "$CS_PREFIX"
  export PATH="$(dirname "$NODE_BIN"):$PATH"
  export npm_config_unsafe_perm=true
  export npm_config_nodedir="$NODE_DIR"
  export TMPDIR="$RG_TMP"
  # code-server's postinstall prints its progress; keep it in a log and show the end on failure.
  if ! npm install --no-audit --no-fund --no-save --foreground-scripts "code-server@$CODE_SERVER_VERSION" >"$DIR/install.log" 2>&1; then
    tail -40 "$DIR/install.log" >&2
    log "npm install code-server failed; full log: $DIR/install.log"
    exit 1
  fi
)
[ -x "$CS_PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] || { log "@vscode/ripgrep has no bin/rg"; exit 1; }

cat >"$LAUNCHER" <<EOF
#!/bin/sh
# Written by scripts/install-code-server.sh: code-server $CODE_SERVER_VERSION on Node $NODE_VERSION.
exec "$NODE_BIN" "$CS_PKG/out/node/entry.js" "\$@"
EOF
chmod +x "$LAUNCHER"
# --config: code-server writes a default config file on first run; keep it out of ~/.config.
version=$("$LAUNCHER" --config "$DIR/config.yaml" --version | grep -E '^[0-9]' | head -1)
touch "$CS_PREFIX/.installed"
log "code-server $version installed in $(( $(date +%s) - start ))s"
echo "$LAUNCHER"
