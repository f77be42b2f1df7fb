#!/usr/bin/env bash
# A Debian 13 (trixie) userland with Node.js 24 for running the test suite
# there too: the second uWebSockets.js engine's Linux binaries need
# glibc >= 2.38, and CI's host is Debian 12 (glibc 2.36) with Node.js 20.
#
#   bash .ci/trixie.sh setup             build the userland, or reuse a finished one
#   bash .ci/trixie.sh run [--] CMD...   setup if needed, copy this checkout to /src
#                                        inside and run CMD there; exits with CMD's code
#   bash .ci/trixie.sh shell             the same, with an interactive bash in /src
#
# CMD given as one argument is a shell command line ('npm ci && npm test');
# several arguments are one command and its arguments (npx vitest run test/http).
#
# Needs root (debootstrap, mount, chroot). The userland lives in
# $FASTSRV_TRIXIE_DIR (default /var/tmp/fastsrv-trixie); delete it to rebuild.
# Inside, the environment is only HOME, PATH, LANG, TERM, CI and the FASTSRV_*
# variables. The chroot shares the host's network (only the Debian mirror and
# the npm registry are reached) and its npm cache (~/.npm, bind-mounted).
# proc, sys, /dev, /dev/pts, /dev/shm and the cache are mounted for the
# duration of a command and unmounted on any exit, Ctrl-C included; processes
# still running in the userland then (a test's detached nginx) are stopped
# first, since they would keep the mounts busy.
set -euo pipefail

readonly DEBIAN_SUITE=trixie
readonly MIRROR=http://deb.debian.org/debian
readonly SECURITY_MIRROR=http://deb.debian.org/debian-security
readonly NODE_VERSION=24.22.3
# nginx: nginx-compare.test.ts; chromium (+ a font): browser.test.ts;
# curl: its --compressed / -r checks; haproxy + iproute2 (ip netns):
# scale-out.test.ts (here / is not a mount point, so `ip netns exec` and
# `ip -n` fail; the test enters its namespaces with nsenter --net).
# Recommends are left out (chromium's pull in upower, dbus and more that
# headless tests never use).
readonly PACKAGES=(nginx chromium fonts-liberation curl ca-certificates haproxy iproute2)
# Bumped when the recipe changes, so a userland made by an older one is redone.
readonly RECIPE=1

ROOT=$(realpath -m -- "${FASTSRV_TRIXIE_DIR:-/var/tmp/fastsrv-trixie}")
readonly ROOT
readonly OWNER_MARK=$ROOT/.fastsrv-trixie
readonly BOOTSTRAP_MARK=$ROOT/.fastsrv-debootstrap-done
readonly SETUP_MARK=$ROOT/.fastsrv-setup-done
readonly STAMP="recipe=$RECIPE suite=$DEBIAN_SUITE node=$NODE_VERSION packages=${PACKAGES[*]}"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO
readonly USERLAND_PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin

TEMP_DIRS=()
IS_MOUNTED=0
CHILD_PID=

# fd 4: the script's stderr, for messages from inside redirected steps (cleanup).
exec 4>&2
say() { printf 'trixie: %s\n' "$*" >&4; }
die() { say "error: $*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

# --- mounts and processes ---------------------------------------------------

# Mount points at or below $1, innermost (most recently mounted) first.
list_mounts_under() {
  awk -v dir="$1" '{
    p = $5; gsub(/\\040/, " ", p); gsub(/\\011/, "\t", p); gsub(/\\134/, "\\", p)
    if (p == dir || index(p, dir "/") == 1) print p
  }' /proc/self/mountinfo | tac
}

# Refuses to delete a tree that still has anything mounted in it: a bind
# mount of /dev or of ~/.npm would be deleted through.
remove_tree() {
  [[ -z $(list_mounts_under "$1") ]] || die "$1 still has mounts; not deleting it (see /proc/mounts)"
  rm -rf --one-file-system -- "$1"
}

list_userland_pids() {
  local link pid
  for link in /proc/[0-9]*/root; do
    if [[ $(readlink "$link" 2>/dev/null) == "$ROOT" ]]; then
      pid=${link#/proc/}
      printf '%s\n' "${pid%/root}"
    fi
  done
  return 0
}

list_descendants() {
  local kid
  for kid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    printf '%s\n' "$kid"
    list_descendants "$kid"
  done
  return 0
}

# The child being waited for with its descendants (debootstrap's wget and
# dpkg), and every process whose root is the userland: all were started by
# this script (the lock below keeps a second instance out); the latter are
# also a test's detached nginx or a Chromium that outlived its test.
list_our_pids() {
  if [[ -n $CHILD_PID ]] && kill -0 "$CHILD_PID" 2>/dev/null; then
    printf '%s\n' "$CHILD_PID"
    list_descendants "$CHILD_PID"
  fi
  list_userland_pids
}

stop_our_processes() {
  local pids=() _
  mapfile -t pids < <(list_our_pids | sort -un)
  ((${#pids[@]})) || return 0
  say "stopping processes still running: ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in {1..10}; do
    sleep 0.5
    mapfile -t pids < <(list_our_pids | sort -un)
    ((${#pids[@]})) || return 0
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.5
}

unmount_all() {
  local target left
  while IFS= read -r target; do
    umount -- "$target" 2>/dev/null || umount -l -- "$target" || say "cannot unmount $target"
  done < <(list_mounts_under "$ROOT")
  IS_MOUNTED=0
  left=$(list_mounts_under "$ROOT")
  [[ -z $left ]] || { say "still mounted: $left"; return 1; }
}

cleanup() {
  local code=$?
  trap - EXIT INT TERM HUP
  set +e
  stop_our_processes
  unmount_all || ((code)) || code=1
  local dir
  for dir in "${TEMP_DIRS[@]}"; do rm -rf -- "$dir"; done
  exit "$code"
}

mount_one() {
  local target=${*: -1}
  mkdir -p -- "$target"
  mount "$@"
}

# /dev is bound without its submounts and made private, so the devpts and
# tmpfs mounted on it below cannot propagate back onto the host's /dev.
mount_userland() {
  ((IS_MOUNTED)) && return 0
  if [[ -n $(list_mounts_under "$ROOT") ]]; then
    say "cleaning up after an earlier run that did not finish"
    stop_our_processes
    unmount_all
  fi
  IS_MOUNTED=1
  mount_one -t proc -o nosuid,nodev,noexec proc "$ROOT/proc"
  mount_one -t sysfs -o ro,nosuid,nodev,noexec sysfs "$ROOT/sys"
  mount_one --bind /dev "$ROOT/dev"
  mount --make-private "$ROOT/dev"
  mount_one --bind /dev/pts "$ROOT/dev/pts"
  # Chromium keeps its shared memory here; a fresh tmpfs, not the host's.
  mount_one -t tmpfs -o nosuid,nodev,mode=1777 shm "$ROOT/dev/shm"
}

mount_npm_cache() {
  local cache
  cache=$(npm config get cache 2>/dev/null) || cache=${HOME:-/root}/.npm
  mkdir -p -- "$cache"
  mount_one --bind "$cache" "$ROOT/root/.npm"
  mount --make-private "$ROOT/root/.npm"
}

# --- running inside -----------------------------------------------------------

# Runs "$@" in the background and waits, so that Ctrl-C or TERM is acted on
# at once (cleanup then stops what is left): bash ignores a SIGINT that
# arrives while a foreground child handles it, and debootstrap and npm do.
# Standard input is passed on (fd 3, opened in main).
wait_for() {
  "$@" <&3 3<&- 4>&- &
  CHILD_PID=$!
  local code=0
  wait "$CHILD_PID" || code=$?
  CHILD_PID=
  return "$code"
}

# Runs "$1" with bash -c inside the userland in a clean environment.
run_inside() {
  local env=(HOME=/root "PATH=$USERLAND_PATH" LANG=C.UTF-8 "TERM=${TERM:-dumb}")
  local name
  [[ -v CI ]] && env+=("CI=$CI")
  while IFS= read -r name; do
    [[ $name == FASTSRV_* && $name != FASTSRV_TRIXIE_DIR ]] && env+=("$name=${!name}")
  done < <(compgen -e)
  chroot "$ROOT" /usr/bin/env -i "${env[@]}" /bin/bash -c "$1" 9>&- 4>&-
}

# apt and dpkg inside, never prompting and never starting a service.
apt_inside() {
  run_inside "DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 $*"
}

# --- setup --------------------------------------------------------------------

ensure_debootstrap() {
  command -v debootstrap >/dev/null && return 0
  say "installing debootstrap on the host"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null 2>&1 ||
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap; }
}

bootstrap_userland() {
  [[ -f $BOOTSTRAP_MARK ]] && return 0
  if [[ -e $ROOT ]]; then
    [[ -f $OWNER_MARK || -z $(ls -A -- "$ROOT") ]] ||
      die "$ROOT exists and is not a fastsrv userland; set FASTSRV_TRIXIE_DIR elsewhere"
    say "removing the unfinished userland in $ROOT"
    remove_tree "$ROOT"
  fi
  ensure_debootstrap
  mkdir -p -- "$ROOT"
  touch -- "$OWNER_MARK"
  local start=$SECONDS
  say "debootstrap --variant=minbase $DEBIAN_SUITE $ROOT $MIRROR"
  wait_for debootstrap --variant=minbase "$DEBIAN_SUITE" "$ROOT" "$MIRROR" > "$ROOT.debootstrap.log" 2>&1 ||
    { tail -n 30 "$ROOT.debootstrap.log" >&2; die "debootstrap failed (log: $ROOT.debootstrap.log)"; }
  touch -- "$BOOTSTRAP_MARK"
  say "debootstrap took $((SECONDS - start)) s"
}

# Host settings the userland needs on every use: DNS, and the CAs this
# machine adds (TLS to the registry may be intercepted by a local CA that
# changes from one machine to the next).
refresh_host_config() {
  rm -f -- "$ROOT/etc/resolv.conf" "$ROOT/etc/hosts"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
  cp -L /etc/hosts "$ROOT/etc/hosts"
  local src=/usr/local/share/ca-certificates dst=$ROOT/usr/local/share/ca-certificates
  if [[ ! -d $src ]]; then
    src=$(mktemp -d)
    TEMP_DIRS+=("$src")
  fi
  mkdir -p -- "$dst"
  if ! diff -rq -- "$src" "$dst" >/dev/null 2>&1; then
    rm -rf --one-file-system -- "$dst"
    cp -a -- "$src" "$dst"
    if [[ -x $ROOT/usr/sbin/update-ca-certificates ]]; then
      run_inside 'update-ca-certificates --fresh' >/dev/null 2>&1 || die 'update-ca-certificates failed in the userland'
    fi
  fi
  local registry
  registry=$(npm config get registry 2>/dev/null) || registry=https://registry.npmjs.org/
  mkdir -p -- "$ROOT/usr/local/etc"
  # nodedir: node-gyp builds against the userland's Node.js 24 headers (it
  # cannot download them here), as the host's npmrc points it at Node.js 20's.
  printf '%s\n' cafile=/etc/ssl/certs/ca-certificates.crt "registry=$registry" nodedir=/usr/local \
    fund=false audit=false update-notifier=false > "$ROOT/usr/local/etc/npmrc"
}

install_packages() {
  # 101 = "action not allowed": packages' maintainer scripts start nothing.
  printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  rm -f -- "$ROOT/etc/apt/sources.list"
  cat > "$ROOT/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local start=$SECONDS
  say "apt-get install ${PACKAGES[*]}"
  {
    wait_for run_inside 'dpkg --configure -a' &&
      wait_for apt_inside update &&
      wait_for apt_inside install -y --no-install-recommends "${PACKAGES[*]}" &&
      wait_for apt_inside clean
  } > "$ROOT.apt.log" 2>&1 || { tail -n 30 "$ROOT.apt.log" >&2; die "apt-get failed (log: $ROOT.apt.log)"; }
  say "apt took $((SECONDS - start)) s"
}

node_arch() {
  case $(uname -m) in
    x86_64) echo x64 ;;
    aarch64) echo arm64 ;;
    *) die "no node-linux package for $(uname -m)" ;;
  esac
}

# Node.js from the npm package node-linux-<arch> (binary and headers), npm
# and npx copied from the host's npm (the package ships none).
install_node() {
  local start=$SECONDS tmp pkg npm_dir
  pkg=node-linux-$(node_arch)@$NODE_VERSION
  say "installing Node.js from $pkg and the host's npm"
  tmp=$(mktemp -d)
  TEMP_DIRS+=("$tmp")
  wait_for npm pack --silent --pack-destination "$tmp" "$pkg" >/dev/null
  tar -xzf "$tmp"/node-linux-*-"$NODE_VERSION".tgz -C "$tmp" package/bin/node package/include
  install -m 755 "$tmp/package/bin/node" "$ROOT/usr/local/bin/node"
  rm -rf -- "$ROOT/usr/local/include/node"
  mkdir -p -- "$ROOT/usr/local/include"
  cp -a "$tmp/package/include/node" "$ROOT/usr/local/include/node"

  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [[ -f $npm_dir/bin/npm-cli.js ]] || die "cannot find the host's npm package (looked in $npm_dir)"
  rm -rf -- "$ROOT/usr/local/lib/node_modules/npm"
  mkdir -p -- "$ROOT/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$ROOT/usr/local/lib/node_modules/npm"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"
  say "node took $((SECONDS - start)) s"
}

check_userland() {
  local versions
  versions=$(run_inside 'node --version && npm --version') || die "node or npm does not run in the userland"
  [[ $versions == v24.* ]] || die "node in the userland is not v24: $versions"
  say "node ${versions%%$'\n'*}, npm ${versions##*$'\n'}"
}

setup() {
  [[ -f $SETUP_MARK && $(<"$SETUP_MARK") == "$STAMP" ]] && return 0
  local start=$SECONDS
  bootstrap_userland
  rm -f -- "$SETUP_MARK"
  mount_userland
  refresh_host_config
  install_packages
  install_node
  check_userland
  printf '%s\n' "$STAMP" > "$SETUP_MARK"
  say "userland ready in $ROOT ($((SECONDS - start)) s)"
}

# --- the checkout -------------------------------------------------------------

# Tracked and untracked-but-not-ignored files that exist (a tracked file
# deleted in the work tree is skipped); never node_modules or dist.
list_checkout_files() {
  local file
  if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$REPO" ls-files -z -co --exclude-standard
  else
    (cd "$REPO" && find . -name .git -prune -o \( -type f -o -type l \) -printf '%P\0')
  fi | while IFS= read -r -d '' file; do
    case /$file in */node_modules/* | /dist/*) continue ;; esac
    if [[ -e $REPO/$file || -L $REPO/$file ]]; then printf '%s\0' "$file"; fi
  done
}

copy_checkout() {
  remove_tree "$ROOT/src"
  mkdir -p -- "$ROOT/src"
  list_checkout_files | tar -C "$REPO" --null -T - -cf - | tar -C "$ROOT/src" -xf -
  # Leftovers of earlier runs' temporary trees (fixtures, nginx prefixes).
  if [[ -z $(list_mounts_under "$ROOT/tmp") ]]; then find "$ROOT/tmp" -xdev -mindepth 1 -delete; fi
}

# --- commands -----------------------------------------------------------------

take_lock() {
  mkdir -p -- "$(dirname "$ROOT")"
  exec 9> "$ROOT.lock"
  flock -n 9 || { say "waiting for another trixie.sh using $ROOT"; flock 9; }
}

main() {
  local command=${1:-}
  [[ -n $command ]] || usage
  shift
  [[ $EUID == 0 ]] || die "needs root (debootstrap, mount, chroot)"
  [[ $ROOT != / ]] || die "FASTSRV_TRIXIE_DIR must not be /"
  local line
  case $command in
    setup) ;;
    run)
      [[ ${1:-} == -- ]] && shift
      (($#)) || usage
      if (($# == 1)); then line=$1; else line=$(printf '%q ' "$@"); fi
      ;;
    shell) line='exec bash -i' ;;
    *) usage ;;
  esac
  take_lock
  { exec 3<&0; } 2>/dev/null || exec 3</dev/null
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  setup
  [[ $command == setup ]] && return 0
  mount_userland
  refresh_host_config
  mount_npm_cache
  copy_checkout
  say "Debian 13 ($DEBIAN_SUITE) userland, Node.js $NODE_VERSION, in /src: $line"
  local code=0
  if [[ $command == shell ]]; then
    run_inside "cd /src && $line" || code=$?  # in the foreground: it owns the terminal
  else
    wait_for run_inside "cd /src && $line" || code=$?
  fi
  ((code == 0)) || say "exit code $code"
  return "$code"
}

main "$@"
