#!/usr/bin/env bash
# Builds the JavaScript and Python SDKs' example plugins from source, with npm and pip from the
# public registries, and checks them. For CI on a fresh Debian machine with node (>= 20) and npm,
# and python3 (>= 3.11) with venv and pip:
#
#   sdk/build-examples.sh            tests, builds, and checks both examples
#   CUSTODE_BIN=target/release/custode sdk/build-examples.sh
#                                    also loads each component into that host binary
#
# What it checks:
# - the SDKs' own tests, the TypeScript declarations against wit/ (stale ones fail), and a
#   type-checked use of them;
# - each example's unit tests;
# - plugins/dist/lines-js.wasm is built twice and the two builds are byte-identical, and it
#   imports nothing but custode:plugin interfaces;
# - plugins/dist/consent-withdrawn-py.wasm and lines-py.wasm build; componentize-py does not give the
#   same bytes twice (bytecodealliance/componentize-py#247), so they are checked by their tests and by
#   loading them.
#
# None of the components is committed (12 and 19 MB: each embeds a language runtime); this script is
# how they are made. Installed packages go to sdk/js/node_modules, plugins/js/*/node_modules and
# sdk/python/.venv (all ignored by git and by `cargo xtask plugins`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dist=$root/plugins/dist
started=$SECONDS

step() { printf '\n== %s (%ds)\n' "$1" $((SECONDS - started)); }
fail() { printf 'build-examples: %s\n' "$1" >&2; exit 1; }

command -v node >/dev/null || fail "node is not installed (Node.js 20 or newer is needed)"
command -v npm >/dev/null || fail "npm is not installed"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || fail "Node.js $(node --version) is too old; 20 or newer is needed"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || fail "python3 is older than 3.11"

step "JavaScript SDK: install (npm ci), tests, declarations"
(cd "$root/sdk/js" && npm ci --no-audit --no-fund && npm test && npm run typecheck && npm run types:check)

step "lines-js: install, tests, build"
(cd "$root/plugins/js/lines-js" && npm ci --no-audit --no-fund && npm test && npm run build)

step "lines-js: a second build must give the same bytes"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$root/plugins/js/lines-js" && npx custode-plugin build . --out "$scratch/lines-js.wasm")
cmp "$dist/lines-js.wasm" "$scratch/lines-js.wasm" || fail "two builds of lines-js differ: a tool now embeds a time, a path or randomness"

step "Python SDK: virtual environment, componentize-py, tests"
venv=${CUSTODE_VENV:-$root/sdk/python/.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root/sdk/python[build]"
(cd "$root/sdk/python" && "$venv/bin/python" -m unittest discover -s tests)

step "consent-withdrawn-py: tests, build"
(cd "$root/plugins/python/consent-withdrawn-py" && "$venv/bin/python" -m unittest discover -s tests)
"$venv/bin/python" -m custode_sdk build "$root/plugins/python/consent-withdrawn-py" --out "$dist/consent-withdrawn-py.wasm"

step "lines-py: tests, build"
(cd "$root/plugins/python/lines-py" && "$venv/bin/python" -m unittest discover -s tests)
"$venv/bin/python" -m custode_sdk build "$root/plugins/python/lines-py" --out "$dist/lines-py.wasm"

if [ -n "${CUSTODE_BIN:-}" ]; then
  step "the components in the host ($CUSTODE_BIN plugin inspect)"
  "$CUSTODE_BIN" plugin inspect "$dist/lines-js.wasm" | tee "$scratch/js.txt"
  grep -q '^sandbox   no WASI imports' "$scratch/js.txt" || fail "lines-js imports WASI"
  "$CUSTODE_BIN" plugin inspect "$dist/consent-withdrawn-py.wasm"
  "$CUSTODE_BIN" plugin inspect "$dist/lines-py.wasm"
  step "the conformance kit ($CUSTODE_BIN plugin check)"
  printf 'anna@example.com\nZo\xc3\xab <zoe@example.com>\n\nluca@example.com' > "$scratch/lines.txt"
  "$CUSTODE_BIN" plugin check "$dist/lines-js.wasm" --input "$scratch/lines.txt"
  "$CUSTODE_BIN" plugin check "$dist/consent-withdrawn-py.wasm"
  "$CUSTODE_BIN" plugin check "$dist/lines-py.wasm" --input "$scratch/lines.txt"
fi

step "done: $dist/lines-js.wasm, $dist/consent-withdrawn-py.wasm and $dist/lines-py.wasm"
