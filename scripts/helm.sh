#!/usr/bin/env bash
# Runs helm, building it once from the Go module proxy into the cache outside the repository
# (${LOGSIFT_CACHE:-$HOME/.cache/calico-logsift}/helm-<version>/helm), then exec-ing it.
#   scripts/helm.sh lint --strict deploy/helm/calico-logsift
#   scripts/helm.sh --build-only      # build (or find) the binary and print its path
# The build needs Go (>= the version helm's go.mod names) and takes a few minutes on a cold module
# cache; concurrent callers wait on one lock instead of building twice.
set -euo pipefail

HELM_VERSION="${LOGSIFT_HELM_VERSION:-v4.3.2}"
CACHE="${LOGSIFT_CACHE:-$HOME/.cache/calico-logsift}"
DIR="$CACHE/helm-$HELM_VERSION"
BIN="$DIR/helm"

build() {
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock 9
  if [ -x "$BIN" ]; then return 0; fi
  command -v go >/dev/null || { echo "scripts/helm.sh: go is needed to build helm $HELM_VERSION" >&2; exit 1; }
  local tmp
  tmp="$(mktemp -d "$DIR/build.XXXXXX")"
  echo "scripts/helm.sh: building helm $HELM_VERSION into $BIN" >&2
  # `go install pkg@version` builds in module mode, ignoring any go.mod around the working directory.
  # The version string is stamped the way helm's own Makefile does (internal/version).
  (cd "$tmp" && CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS=-buildvcs=false go install \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@$HELM_VERSION")
  mv "$tmp/helm" "$BIN"
  rmdir "$tmp"
  exec 9>&-
}

[ -x "$BIN" ] || build
if [ "${1:-}" = "--build-only" ]; then
  echo "$BIN"
  exit 0
fi
exec "$BIN" "$@"
