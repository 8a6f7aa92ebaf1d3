"""Start and stop a throw-away Virtuoso Open Source 7 server (Debian/Ubuntu package
``virtuoso-opensource``: ``virtuoso-t`` and ``isql-vt``) on loopback free ports, with its
database in a temporary directory."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .common import os_ports, wait_http

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"
VSP_DIR = "/var/lib/virtuoso-opensource-7/vsp"

_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 0
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {d}, {vad}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
VADInstallDir            = {vad}/
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxMemPoolSize           = 200000000
MaxQueryMem              = 500M
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 4
AsyncQueueMaxThreads     = 10
NumberOfBuffers          = 20000
MaxDirtyBuffers          = 15000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http}
ServerRoot                  = {vsp}
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:{http}

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 60
DeferInferenceRulesInit    = 0
"""


@dataclass
class Virtuoso:
    proc: subprocess.Popen
    directory: Path
    sql_port: int
    http_port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def isql(self, sql: str, timeout: float = 30) -> str:
        """Run SQL through ``isql-vt`` as dba (the default password of a fresh database)."""
        res = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                             capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0 or "*** Error" in res.stdout + res.stderr:
            raise RuntimeError(f"isql failed on {sql!r}: {res.stdout}{res.stderr}")
        return res.stdout

    def log(self) -> str:
        try:
            return (self.directory / "virtuoso.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start(directory: Path, *, wait_seconds: float = 60, attempts: int = 3) -> Virtuoso:
    """A fresh Virtuoso in ``directory`` on loopback ports the OS handed out, with SPARQL
    Update (and so the Graph Store endpoint ``/sparql-graph-crud``) granted to the anonymous
    ``SPARQL`` user. Virtuoso cannot bind port 0, so the ports are released before it starts;
    if it exits before answering (another process took a port in between) it is started
    again on new ports, up to ``attempts`` times. Raises RuntimeError (with the server log)
    if it does not come up."""
    for attempt in range(1, attempts + 1):
        try:
            return _start_once(directory / f"try{attempt}", wait_seconds)
        except _Exited:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


class _Exited(RuntimeError):
    """Virtuoso exited before answering (a port taken, most likely)."""


def _start_once(directory: Path, wait_seconds: float) -> Virtuoso:
    directory.mkdir(parents=True, exist_ok=True)
    sql, http = os_ports(2)
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(d=directory, sql=sql, http=http, vad=VAD_DIR, vsp=VSP_DIR))
    proc = subprocess.Popen([VIRTUOSO, "+configfile", str(ini), "+foreground"], cwd=directory,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    v = Virtuoso(proc, directory, sql, http)
    try:
        wait_http(f"{v.base}/sparql?query=ASK%7B%7D", wait_seconds, proc)
        deadline = time.monotonic() + 20
        while True:  # the SQL port may lag the HTTP one slightly
            try:
                v.isql('GRANT SPARQL_UPDATE TO "SPARQL";', timeout=10)
                break
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    except BaseException as e:
        exited = proc.poll() is not None
        v.stop()
        if exited:
            raise _Exited(f"Virtuoso exited with {proc.returncode}: {e}\n{v.log()}") from None
        raise RuntimeError(f"Virtuoso did not start: {e}\n{v.log()}") from None
    return v
