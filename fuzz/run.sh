#!/usr/bin/env bash
# Runs each libFuzzer target (build/preset-fuzz, preset "fuzz") for RUNS executions starting from its
# committed corpus, then merges new coverage back into fuzz/corpus/<name>. Prints the counts.
set -euo pipefail
runs=${RUNS:-1000000}
bin=build/preset-fuzz/bin
mkdir -p fuzz/artifacts
for f in "$bin"/*_fuzzer; do
  name=$(basename "$f")
  # ONLY="a_fuzzer b_fuzzer" runs just those.
  if [[ -n "${ONLY:-}" && " $ONLY " != *" $name "* ]]; then continue; fi
  work=$(mktemp -d)
  "$f" -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=4096 -artifact_prefix=fuzz/artifacts/ \
       "$work" "fuzz/corpus/$name" > "fuzz/artifacts/$name.log" 2>&1 || { echo "$name: FINDING (see fuzz/artifacts/$name.log)"; exit 1; }
  "$f" -merge=1 "fuzz/corpus/$name" "$work" >> "fuzz/artifacts/$name.log" 2>&1
  rm -rf "$work"
  done_line=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "fuzz/artifacts/$name.log" | head -1)
  execs=$(awk '{print $2}' <<<"$done_line")
  seconds=$(awk '{print $5}' <<<"$done_line")
  echo "$name: $execs executions in $seconds s, no finding; corpus $(ls "fuzz/corpus/$name" | wc -l) inputs"
done
