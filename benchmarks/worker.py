"""A benchmark worker: one contender in its own interpreter, driven over stdin/stdout.

``python benchmarks/run.py --worker NAME [--scales 1,4,16]`` starts one.  It
builds its tasks (:mod:`contenders`), prints one JSON line ``{"ready": ...}``
and then answers one JSON request per line:

``{"cmd": "outputs", "tasks": [task, ...], "full": [task, ...]}``
    the output of each task listed as ``{"len", "digest"}`` (and the whole value for the
    tasks listed in ``full``), for the checks made before timing;
``{"cmd": "calibrate", "task": T, "min_time": s, "warmup": s}``
    warm up, then the number of calls whose timing takes at least ``min_time``;
``{"cmd": "sample", "task": T, "loops": n}``
    wall-clock and process CPU seconds spent in ``n`` timed calls (GC
    disabled inside the loop);
``{"cmd": "quit"}``.

Only the protocol goes to the real stdout; anything else printed by a
contender goes to stderr.
"""

from __future__ import annotations

import gc
import json
import platform
import sys
import time
from typing import Any, TextIO

import contenders
import workloads as wl


def _describe(value: object) -> dict[str, object]:
    length = len(value) if isinstance(value, (list, str)) else None
    return {"len": length, "digest": wl.digest(value)}


def _calibrate(task: contenders.Task, min_time: float, warmup: float) -> dict[str, object]:
    """Warm up for ``warmup`` seconds, then double ``loops`` until one sample takes ``min_time``."""
    start = time.perf_counter()
    warm_calls = 0
    while warmup > 0:
        task.run(1)
        warm_calls += 1
        if time.perf_counter() - start >= warmup:
            break
    loops = 1
    while True:
        elapsed = task.run(loops)[0]
        if elapsed >= min_time or loops >= 1 << 24:
            break
        # Aim a little above min_time so noise does not leave a sample short.
        loops = max(loops * 2, int(loops * min_time * 1.2 / max(elapsed, 1e-9)))
    return {"loops": loops, "warmup_calls": warm_calls, "elapsed": elapsed}


def serve(name: str, scales: tuple[int, ...], out: TextIO) -> int:
    t0 = time.perf_counter()
    contender = contenders.make(name, scales)
    tasks = {task.name: task for task in contender.tasks()}
    ready: dict[str, Any] = {
        "ready": True,
        "contender": name,
        "info": contender.info(),
        "setup_s": time.perf_counter() - t0,
        "python": platform.python_version(),
        "executable": sys.executable,
        "gc": {
            "enabled": gc.isenabled(),
            "thresholds": list(gc.get_threshold()),
            "policy": "gc.collect() before each sample, gc.disable() inside the timed loop",
        },
        "tasks": {task.name: {"units": task.units} for task in tasks.values()},
    }
    out.write(json.dumps(ready) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        cmd = request["cmd"]
        response: dict[str, Any]
        try:
            if cmd == "quit":
                break
            if cmd == "outputs":
                full = set(request.get("full", ()))
                result: dict[str, object] = {}
                for task in (tasks[name] for name in request["tasks"]):
                    value = task.output()
                    described = _describe(value)
                    if task.name in full:
                        described["value"] = value
                    result[task.name] = described
                response = {"outputs": result}
            elif cmd == "calibrate":
                response = _calibrate(tasks[request["task"]], request["min_time"], request["warmup"])
            elif cmd == "sample":
                wall, cpu = tasks[request["task"]].run(request["loops"])
                response = {"wall": wall, "cpu": cpu}
            else:
                response = {"error": f"unknown command {cmd!r}"}
        except Exception as exc:  # reported to the orchestrator, which stops the run
            response = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(response) + "\n")
        out.flush()
    return 0


def main(name: str, scales: tuple[int, ...]) -> int:
    out = sys.stdout
    sys.stdout = sys.stderr  # keep the protocol channel clean
    return serve(name, scales, out)
