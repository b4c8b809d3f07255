"""Runs a unit test suite that has a PostgreSQL mode (registry_test, apikeys_test) against a fresh
PostgreSQL cluster: the same tests that run on SQLite, on the second backend.
Usage: postgres_suite.py BIN_DIR TEST_BINARY"""
import os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postgres

binary = sys.argv[2] if len(sys.argv) > 2 else "registry_test"
cluster = postgres.Cluster()
try:
    env = dict(os.environ, AIP_TEST_POSTGRES_URL=cluster.database(binary))
    rc = subprocess.run([os.path.join(sys.argv[1], binary)], env=env, timeout=600).returncode
finally:
    cluster.stop()
sys.exit(rc)
