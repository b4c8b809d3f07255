#!/usr/bin/env bash
# Checks that every C++ file is in the house format (.clang-format); prints the files that are not
# and how to fix them. With --fix, reformats them instead. Run by `make test` (ctest aip.format).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fmt=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$fmt" ]; then
  echo "check-format: clang-format-14 is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files -- 'src/*.cc' 'src/*.h' 'apps/*.cc' 'apps/*.h' 'tests/*.cc' 'tests/*.h' \
  'bench/*.cc' 'bench/*.h' 'fuzz/*.cc' 'fuzz/*.h' 'examples/*.cc' 'examples/*.h' 2>/dev/null || true)
if [ ${#files[@]} -eq 0 ]; then
  # Not a git checkout (an unpacked source tarball): check what is on disk.
  mapfile -t files < <(find src apps tests bench fuzz examples \( -name '*.cc' -o -name '*.h' \) -not -path '*/node_modules/*')
fi
if [ "${1:-}" = "--fix" ]; then
  "$fmt" -i "${files[@]}"
  exit 0
fi
# One run over every file; each diagnostic starts with the file's name.
if ! out=$("$fmt" --dry-run --Werror "${files[@]}" 2>&1); then
  grep -oE '^[^:]+\.(cc|h):[0-9]+' <<<"$out" | cut -d: -f1 | sort -u | sed 's/^/not in the house format: /' >&2
  echo "fix with: bash scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files in the house format"
