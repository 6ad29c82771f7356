#!/usr/bin/env bash
# Install requirements.txt into a new virtual environment for each Python
# version and run the test suite (python -m pytest) from the repository root.
#
# Usage: scripts/test_fresh_envs.sh [VERSION ...]
#   VERSION is a minor version such as 3.12. Default: 3.11 3.12 3.13.
#
# An interpreter that is not installed is skipped with a message, unless
# REQUIRE_ALL_PYTHONS=1 is set, which makes it a failure. The script tries
# every version, prints a summary line per version, and exits with status 1
# if any version failed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if (($# > 0)); then
  versions=("$@")
else
  versions=(3.11 3.12 3.13)
fi
require_all="${REQUIRE_ALL_PYTHONS:-0}"

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/fresh-envs.XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT

summary=()
failed=0

# Print the path of a working python$1 interpreter. Prefer the plain command
# and fall back to the newest pyenv build of that version.
find_python() {
  local version="$1"
  local candidate

  candidate="$(command -v "python$version" || true)"
  if [[ -n "$candidate" ]] && python_matches "$candidate" "$version"; then
    echo "$candidate"
    return 0
  fi

  # pyenv shims fail unless pyenv selects the version, so call the builds directly.
  while IFS= read -r candidate; do
    if python_matches "$candidate" "$version"; then
      echo "$candidate"
      return 0
    fi
  done < <(compgen -G "$HOME/.pyenv/versions/$version.*/bin/python$version" | sort -rV)

  return 1
}

# Succeed if interpreter $1 runs and its major.minor version equals $2.
python_matches() {
  local found
  found="$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || return 1
  [[ "$found" == "$2" ]]
}

# Create a virtual environment with python$1, install the requirements and run
# pytest in it. Store the result in $outcome and return 1 on failure.
test_version() {
  local version="$1"
  local python venv rc

  if ! python="$(find_python "$version")"; then
    if [[ "$require_all" == "1" ]]; then
      echo "FAIL: python$version not found, and REQUIRE_ALL_PYTHONS=1 makes that an error." \
        "Install Python $version or unset REQUIRE_ALL_PYTHONS." >&2
      outcome="FAIL (python$version not found)"
      return 1
    fi
    echo "SKIP: python$version not found (set REQUIRE_ALL_PYTHONS=1 to make this an error)" >&2
    outcome="SKIP (python$version not found)"
    return 0
  fi

  venv="$work_dir/venv-$version"
  echo "Creating $venv with $python" >&2
  if ! "$python" -m venv "$venv"; then
    outcome="FAIL (venv creation failed)"
    return 1
  fi

  if ! "$venv/bin/python" -m pip install -r requirements.txt; then
    outcome="FAIL (pip install failed)"
    return 1
  fi

  if ! "$venv/bin/python" - <<'EOF'
import platform
from importlib.metadata import version

print(f"python {platform.python_version()}")
for package in ("jax", "brainstate", "braintools"):
    print(f"{package} {version(package)}")
EOF
  then
    outcome="FAIL (reading installed package versions failed)"
    return 1
  fi

  rc=0
  "$venv/bin/python" -m pytest || rc=$?
  rm -rf "$venv"
  if ((rc == 5)); then
    outcome="FAIL (pytest collected no tests, exit code 5)"
    return 1
  fi
  if ((rc != 0)); then
    outcome="FAIL (pytest exit code $rc)"
    return 1
  fi
  outcome="PASS"
  return 0
}

for version in "${versions[@]}"; do
  if [[ ! "$version" =~ ^3\.[0-9]+$ ]]; then
    echo "Invalid Python version '$version': expected MAJOR.MINOR such as 3.12" >&2
    summary+=("$version: FAIL (invalid version)")
    failed=1
    continue
  fi

  echo "=== Python $version ==="
  start=$SECONDS
  outcome=""
  if ! test_version "$version"; then
    failed=1
  fi
  summary+=("$version: $outcome in $((SECONDS - start)) s")
done

echo "=== Summary ==="
printf '%s\n' "${summary[@]}"
exit "$failed"
