"""Runs the registry's API test suite (registry_test) against a fresh PostgreSQL cluster: the
same tests that run on SQLite, on the second backend. Usage: postgres_suite.py BIN_DIR"""
import os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postgres

cluster = postgres.Cluster()
try:
    env = dict(os.environ, AIP_TEST_POSTGRES_URL=cluster.database("registry_test"))
    rc = subprocess.run([os.path.join(sys.argv[1], "registry_test")], env=env, timeout=600).returncode
finally:
    cluster.stop()
sys.exit(rc)
