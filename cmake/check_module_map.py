#!/usr/bin/env python3
"""Fails when a module includes a module it does not depend on.

The module map is what each src/aip/<module>/CMakeLists.txt declares: aip_cc_library(NAME m ...
DEPS ... PRIVATE_DEPS ...). A source file of module m may include "aip/<n>/..." only for n = m or
n among m's dependencies, followed transitively (tests: their aip_cc_test DEPS too). So a new
upward include — mcp reaching into gateway, say — fails the build's tests instead of quietly
turning the one-way map into a cycle. Usage: check_module_map.py SRC_ROOT (the repository root).
"""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
src = os.path.join(root, "src", "aip")
call = re.compile(r"aip_cc_(library|test)\s*\((.*?)\)", re.S)
deps, test_deps = {}, {}
for module in sorted(os.listdir(src)):
    cmake = os.path.join(src, module, "CMakeLists.txt")
    if not os.path.isfile(cmake):
        continue
    text = re.sub(r"#.*", "", open(cmake).read())
    for kind, body in call.findall(text):
        named = re.findall(r"aip::(\w+)", body) + (["mcp"] if "aip_mcp_test_server" in body else [])
        target = deps if kind == "library" else test_deps
        target.setdefault(module, set()).update(n for n in named if n != module)


def closure(module, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(module, ()):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen


include = re.compile(r'^\s*#\s*include\s+"aip/(\w+)/', re.M)
problems = []
for module in sorted(deps):
    allowed = closure(module) | {module}
    allowed_in_tests = set(allowed) | {"testing"}  # aip_cc_test links aip::testing into every test.
    for d in test_deps.get(module, ()):
        allowed_in_tests |= closure(d) | {d}
    for name in sorted(os.listdir(os.path.join(src, module))):
        if not name.endswith((".h", ".cc")):
            continue
        ok = allowed_in_tests if name.endswith("_test.cc") or name.startswith("test_") else allowed
        text = open(os.path.join(src, module, name), encoding="utf-8").read()
        for used in sorted(set(include.findall(text)) - ok - {"aip"}):
            problems.append(f"src/aip/{module}/{name}: includes aip/{used}/, but {module} does not depend on {used}")
for p in problems:
    print(p)
print(f"module map: {len(deps)} modules, {len(problems)} upward or undeclared includes")
sys.exit(1 if problems else 0)
