"""A real single-node SLURM cluster on this machine, for the ``slurm`` tests (Debian's slurm 22.05, as root).

``SlurmCluster().start()`` writes ``/etc/slurm/slurm.conf`` (only if absent or written by us before), starts
munged, slurmctld and slurmd, and waits until ``sinfo`` shows the node idle; ``stop()`` stops exactly the daemons
it started, by process id. Needs the packages slurmctld, slurmd, slurm-client and munge (``.ci/run`` installs them).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

MARK = "# written by sahel_sim tests/slurm_cluster.py"
CONF = Path("/etc/slurm/slurm.conf")


def available() -> str:
    """Empty if a cluster can be started here, else the reason why not."""
    missing = [c for c in ("slurmctld", "slurmd", "sinfo", "sbatch", "munged") if shutil.which(c) is None]
    if missing:
        return f"SLURM is not installed (missing {', '.join(missing)})"
    if os.geteuid() != 0:
        return "starting SLURM daemons needs root"
    if CONF.exists() and MARK not in CONF.read_text():
        return f"{CONF} exists and is not ours: not touching a real cluster's config"
    return ""


class SlurmCluster:
    def __init__(self, state: Path = Path("/tmp/sahel_sim_slurm")):
        self.state = state
        self.procs: list[subprocess.Popen] = []

    def _conf(self) -> str:
        host = socket.gethostname()
        return f"""{MARK}
ClusterName=sahelsim
SlurmctldHost={host}
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
StateSaveLocation={self.state}/ctld
SlurmdSpoolDir={self.state}/d
SlurmctldPidFile={self.state}/slurmctld.pid
SlurmdPidFile={self.state}/slurmd.pid
SlurmctldLogFile={self.state}/slurmctld.log
SlurmdLogFile={self.state}/slurmd.log
ReturnToService=2
NodeName={host} CPUs={os.cpu_count()} RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""

    def start(self, timeout: float = 60.0) -> None:
        for d in (self.state / "ctld", self.state / "d", Path("/run/munge")):
            d.mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        CONF.write_text(self._conf())
        self.procs.append(self._daemon("munged", ["munged", "--force", "-F"], user="munge"))
        time.sleep(0.5)
        self.procs.append(self._daemon("slurmctld", ["slurmctld", "-D", "-i"]))
        time.sleep(1.0)
        self.procs.append(self._daemon("slurmd", ["slurmd", "-D"]))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True).stdout.strip()
            if out.startswith("idle") or out.startswith("mix"):
                return
            time.sleep(1.0)
        self.stop()
        raise RuntimeError(f"SLURM did not come up in {timeout} s; logs in {self.state}")

    def _daemon(self, name: str, cmd: list[str], user: str | None = None) -> subprocess.Popen:
        with open(self.state / f"{name}.out", "ab") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, user=user,
                                    group=user)

    def stop(self) -> None:
        """Stop the daemons this object started (each one's process group, by its pid), newest first."""
        for proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.procs.clear()
