"""A throwaway PostgreSQL 15 cluster for tests: initdb in a temporary folder, listening only on
127.0.0.1 at a free port, trust authentication (nothing else can reach it), stopped and removed
by stop(). Run as root, the server runs as the `postgres` user (PostgreSQL refuses root).
"""
import glob, os, shutil, socket, subprocess, tempfile, time

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1] if glob.glob("/usr/lib/postgresql/*/bin") else ""


def _as_server_user(args):
    return (["runuser", "-u", "postgres", "--"] + args) if os.getuid() == 0 else args


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Cluster:
    def __init__(self):
        if not BIN:
            raise RuntimeError("PostgreSQL server binaries not found (scripts/install-deps.sh installs postgresql)")
        self.dir = tempfile.mkdtemp(prefix="aip-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.port = _free_port()
        subprocess.run(_as_server_user([f"{BIN}/initdb", "-D", self.data, "-A", "trust", "-U", "aip", "-E", "UTF8"]),
                       check=True, capture_output=True, timeout=120)
        self.start()
        self.url = f"postgresql://aip@127.0.0.1:{self.port}/postgres"

    def start(self):
        """Starts the server (again, after halt()), on the same port and data."""
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} -c fsync=on"
        subprocess.run(_as_server_user([f"{BIN}/pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"),
                                        "-w", "-t", "60", "start"]), check=True, capture_output=True, timeout=90)

    def halt(self):
        """Stops the server at once (connections cut, as in a crash), keeping its data."""
        subprocess.run(_as_server_user([f"{BIN}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)

    def database(self, name):
        """Creates database `name` and returns its URL."""
        subprocess.run([f"{BIN}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "aip", "-d", "postgres",
                        "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=30)
        return f"postgresql://aip@127.0.0.1:{self.port}/{name}"

    def stop(self):
        """Stops the server and removes the cluster."""
        self.halt()
        shutil.rmtree(self.dir, ignore_errors=True)
