#!/usr/bin/env bash
# End-to-end tests of the `aip` CLI through the binary users run: exit codes, messages, files and
# permissions. Usage: cli_test.sh PATH/TO/aip. Ends with "N passed, N failed".
set -uo pipefail
AIP=${1:?usage: cli_test.sh PATH/TO/aip}
SHARED=${AIP_SHARED_TESTDATA:-../shared/testdata}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset AIP_PRIVATE_KEY AIP_DID AIP_PASSPHRASE
export AIP_HOME="$work/alice"
passed=0 failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
# expect CODE PATTERN -- CMD...: runs CMD, checks the exit code and that output matches PATTERN.
expect() {
  local code=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$code" ]; then bad "$* -> exit $rc, want $code: $out"; return; fi
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then bad "$* -> output lacks /$pattern/: $out"; return; fi
  ok
}
mode() { stat -c %a "$1"; }

# --- identity ---
expect 0 "did:key:z6Mk" -- "$AIP" init --name alice --platform github/alice-agent
[ "$(mode "$AIP_HOME")" = 700 ] && ok || bad "home mode $(mode "$AIP_HOME")"
[ "$(mode "$AIP_HOME/identity.json")" = 600 ] && ok || bad "identity mode"
expect 3 "already exists.*--force" -- "$AIP" init
did=$("$AIP" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
did_aip=$("$AIP" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did_aip"])')
expect 0 "$did" -- "$AIP" whoami
expect 0 "github/alice-agent" -- "$AIP" whoami --json
expect 0 "\"serviceEndpoint\"" -- "$AIP" did document
expect 0 "Ed25519VerificationKey2020" -- "$AIP" did document --format ed25519-2020
expect 0 "didDocument" -- "$AIP" did resolve "$did"
expect 3 "cannot resolve" -- "$AIP" did resolve "did:aip:00000000000000000000000000000000"
expect 2 "" -- "$AIP" did document --format nope
expect 2 "" -- "$AIP" no-such-command
"$AIP" export | grep -q '"seed"' && bad "export leaked the private key" || ok
expect 0 "\"seed\"" -- "$AIP" export --include-private

# --- sign / verify a file and a message ---
echo "quarterly report" > "$work/report.txt"
expect 0 "report.txt.sig" -- "$AIP" sign "$work/report.txt"
expect 0 "OK: .*signed by $did" -- "$AIP" verify "$work/report.txt"
expect 0 "\"valid\": true" -- "$AIP" verify "$work/report.txt" --json --did "$did_aip"
echo "tampered" >> "$work/report.txt"
expect 1 "FAILED.*does not match" -- "$AIP" verify "$work/report.txt"
head -c 60 "$work/report.txt.sig" > "$work/trunc.sig"
expect 1 "malformed or truncated" -- "$AIP" verify "$work/report.txt" --sig "$work/trunc.sig"
expect 3 "no such file" -- "$AIP" verify "$work/missing.txt"
echo -n "hello agents" | "$AIP" sign - > "$work/msg.sig"
out=$(echo -n "hello agents" | "$AIP" verify - --sig "$work/msg.sig" --did "$did" 2>&1) && ok || bad "message verify: $out"
out=$(echo -n "hello agentz" | "$AIP" verify - --sig "$work/msg.sig" 2>&1); [ $? = 1 ] && ok || bad "tampered message accepted"

# --- canonicalize ---
out=$(printf '{"b":[1e21,0.000001,1e-7],"a":"\\u00e9"}' | "$AIP" canonicalize)
[ "$out" = '{"a":"é","b":[1e+21,0.000001,1e-7]}' ] && ok || bad "canonicalize: $out"
expect 2 "duplicate key" -- sh -c "printf '{\"a\":1,\"a\":2}' | '$AIP' canonicalize"

# --- directories ---
mkdir -p "$work/skill/sub"; echo a > "$work/skill/a.md"; echo b > "$work/skill/sub/b.md"
expect 0 "Signed 2 file" -- "$AIP" sign-dir "$work/skill"
expect 0 "OK: 2 file" -- "$AIP" verify-dir "$work/skill"
echo changed > "$work/skill/a.md"; echo new > "$work/skill/new.md"
expect 1 "changed: a.md" -- "$AIP" verify-dir "$work/skill"
expect 1 "unexpected: new.md" -- "$AIP" verify-dir "$work/skill"
echo secret > "$work/outside.txt"; ln -s "$work/outside.txt" "$work/skill/escape"
expect 3 "escape: symlink escapes the directory" -- "$AIP" sign-dir "$work/skill"
expect 1 "symlink escapes" -- "$AIP" verify-dir "$work/skill"
# A Python AIP manifest: the signature verifies; the files it lists are not here, so each is missing.
mkdir -p "$work/legacy"; cp "$SHARED/aip-compat/skill-manifest.aip-signature.json" "$work/legacy/.aip-signature.json"
expect 1 "missing: aip-identity/SKILL.md" -- "$AIP" verify-dir "$work/legacy"
expect 0 "python-aip" -- sh -c "'$AIP' verify-dir '$work/legacy' --json; true"
sed -i 's/cd8b67ca/00000000/' "$work/legacy/.aip-signature.json"
expect 1 "signature does not verify" -- "$AIP" verify-dir "$work/legacy"

# --- rotation keeps a verifiable history ---
expect 0 "previous: $did" -- "$AIP" key rotate
new_did=$("$AIP" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
[ "$new_did" != "$did" ] && ok || bad "rotation kept the key"
expect 0 "Rotated:  1" -- "$AIP" whoami
expect 0 "\"previous\": \"$did\"" -- "$AIP" whoami --json

# --- corrupted identity file ---
cp "$AIP_HOME/identity.json" "$work/identity.bak"
head -c 100 "$work/identity.bak" > "$AIP_HOME/identity.json"
expect 3 "corrupted" -- "$AIP" whoami
cp "$work/identity.bak" "$AIP_HOME/identity.json"

# --- encryption ---
export AIP_HOME="$work/bob"
AIP_PASSPHRASE="correct horse" expect 0 "encrypted" -- "$AIP" init --name bob --encrypt
grep -q '"seed"' "$AIP_HOME/identity.json" && bad "encrypted file holds a plain seed" || ok
AIP_PASSPHRASE="wrong horse" expect 3 "wrong passphrase" -- "$AIP" whoami
# Showing who one is needs no secret: whoami reads the public part; signing needs the passphrase.
expect 0 "not opened" -- "$AIP" whoami < /dev/null
echo hi > "$work/bob-note.txt"
expect 3 "AIP_PASSPHRASE" -- "$AIP" sign "$work/bob-note.txt" < /dev/null
AIP_PASSPHRASE="correct horse" expect 0 "(encrypted)" -- "$AIP" whoami
AIP_PASSPHRASE="correct horse" expect 0 "Rotated" -- "$AIP" key rotate
AIP_PASSPHRASE="correct horse" expect 0 "Rotated:  1" -- "$AIP" whoami

# --- export / import ---
export AIP_HOME="$work/alice"
"$AIP" export > "$work/alice-public.json"
"$AIP" export --include-private --out "$work/alice-private.json" >/dev/null 2>&1
[ "$(mode "$work/alice-private.json")" = 600 ] && ok || bad "private export mode"
export AIP_HOME="$work/carol"
expect 0 "Added to keyring" -- "$AIP" import "$work/alice-public.json"
alice_aip=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["did_aip"])' "$work/alice-public.json")
expect 0 "didDocument" -- "$AIP" did resolve "$alice_aip"
python3 - "$work/alice-public.json" "$work/forged.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["did_aip"] = "did:aip:" + "0" * 32; json.dump(d, open(sys.argv[2], "w"))
PY
expect 3 "does not match" -- "$AIP" import "$work/forged.json"
expect 0 "Imported identity" -- "$AIP" import "$work/alice-private.json"
expect 3 "already exists" -- "$AIP" import "$work/alice-private.json"
python3 - "$work/alice-private.json" "$work/wrong-did.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["did"] = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"; json.dump(d, open(sys.argv[2], "w"))
PY
expect 3 "did does not match" -- "$AIP" import "$work/wrong-did.json" --force

# --- identity from the environment (CI use) ---
export AIP_HOME="$work/ci"
AIP_PRIVATE_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
  expect 0 "did:aip:56475aa75463474c0285df5dbf2bcab7" -- "$AIP" whoami
AIP_PRIVATE_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f AIP_DID=did:aip:24f6ed6acbfe1009c030d7ca567c33ca \
  expect 3 "AIP_DID does not match" -- "$AIP" whoami
AIP_PRIVATE_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
  expect 2 "AIP_PRIVATE_KEY is set" -- "$AIP" init
[ -e "$AIP_HOME/identity.json" ] && bad "env identity wrote a file" || ok

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
