#!/usr/bin/env python3
"""Runs the README's first command (the lab, defaults) and writes what it printed into README.md, between the
<!-- lab-run --> markers, with a sentence of the run's peaks from its JSON report: the README shows a real run."""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
readme = root / "README.md"
with tempfile.TemporaryDirectory() as tmp:
    report_path = pathlib.Path(tmp) / "lab.json"
    run = subprocess.run(
        ["dotnet", "run", "--project", str(root / "src/LeakOperator"), "--", "lab", "--json", str(report_path)],
        capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"the lab exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
    report = json.loads(report_path.read_text())

# What the lab printed: from its first line (dotnet run's build output comes before it), without the line naming the
# temporary JSON file.
lines = [line.rstrip() for line in run.stdout.splitlines()]
first = next(i for i, line in enumerate(lines) if line.startswith("LeakOperator lab:"))
output = "\n".join(line for line in lines[first:] if not line.startswith("JSON report:"))
peak = {key: max(point["readings"][key] for point in report["timeline"])
        for key in ("activeTimers", "openSockets", "httpClientOpenConnections", "gcHeapBytes")}
rates = {s["leakType"]: s["ratePerSecond"] for s in report["subjects"]}
block = f"""<!-- lab-run:start (scripts/readme-lab-run.py writes this from a real run; `make figures`) -->
A real run on a {report["processors"]}-core machine with {report["runtime"]}, using the defaults (rates: memory
{rates["memory"]:g} MiB/s, task {rates["task"]:g} loops/s, http-conn {rates["http-conn"]:g} connections/s):

```
{output}
```

At its peak the process had {peak["activeTimers"]:,} scheduled timers, {peak["openSockets"]:,} sockets,
{peak["httpClientOpenConnections"]:,} HTTP client connections and a {peak["gcHeapBytes"] / 1048576:.1f} MiB GC heap.
After release: {report["afterReleaseCheck"]["summary"]}.
<!-- lab-run:end -->"""
text = readme.read_text()
updated, count = re.subn(r"<!-- lab-run:start.*?<!-- lab-run:end -->", lambda _: block, text, flags=re.S)
if count != 1:
    sys.exit("README.md has no <!-- lab-run:start --> … <!-- lab-run:end --> block")
readme.write_text(updated)
print(f"README.md: lab run written ({report['durationSeconds']} s, {report['afterReleaseCheck']['summary']})")
