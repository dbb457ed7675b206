"""The orchestrator's side of the harness: worker processes, checks, calibration, interleaved rounds.

Method (the same for every contender and task):

1. every contender runs in its own interpreter (:mod:`worker`), started once;
2. every task's output is checked against the expected output (or, where
   workloads.json has none, against openai_harmony's) before anything is
   timed; a mismatch stops the run;
3. calibration: each (contender, task) is warmed up, then given the number of
   calls per sample that takes at least ``min_time``;
4. rounds: in every round each task is sampled once per contender, the
   contenders in a rotating order, so slow drifts of the machine hit all
   contenders alike and a round's samples can be paired;
5. statistics per (contender, task): median time per call, quartiles, IQR,
   stdev, minimum; ops/s = 1 / median; the ratio to openai_harmony is
   ``median(oracle) / median(contender)``, with the spread of the per-round
   paired ratios.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import workloads as wl

ORACLE = "openai_harmony"
RUN_PY = wl.HERE / "run.py"


class BenchError(RuntimeError):
    """A failed check or a worker error: the run stops."""


class WorkerProcess:
    """One contender's interpreter, speaking the JSON-lines protocol of :mod:`worker`."""

    def __init__(self, contender: str, scales: Sequence[int], pythonpath: str | None) -> None:
        env = dict(os.environ)
        env["PYTHONHASHSEED"] = "0"
        if pythonpath:
            env["PYTHONPATH"] = pythonpath + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.contender = contender
        self.proc = subprocess.Popen(
            [sys.executable, str(RUN_PY), "--worker", contender, "--scales", ",".join(map(str, scales))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
            cwd=str(wl.ROOT),
        )
        self.ready: dict[str, Any] = self._read()
        if not self.ready.get("ready"):
            raise BenchError(f"worker {contender} did not start: {self.ready}")

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise BenchError(f"worker {self.contender} exited with status {code} (see its stderr above)")
        result: dict[str, Any] = json.loads(line)
        return result

    def request(self, **payload: object) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(payload) + "\n")
        self.proc.stdin.flush()
        response = self._read()
        if "error" in response:
            raise BenchError(
                f"worker {self.contender}: {payload.get('cmd')} {payload.get('task', '')}: {response['error']}"
            )
        return response

    @property
    def tasks(self) -> dict[str, dict[str, Any]]:
        tasks: dict[str, dict[str, Any]] = self.ready["tasks"]
        return tasks

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# -- checks ---------------------------------------------------------------------------------


def _texts_in_order(text: str, messages: list[dict[str, Any]]) -> bool:
    position = 0
    for message in messages:
        for item in message["content"]:
            found = text.find(item["text"], position)
            if found < 0:
                return False
            position = found + len(item["text"])
    return True


def check_outputs(workers: dict[str, WorkerProcess], tasks: Sequence[str], log: Any) -> dict[str, dict[str, str]]:
    """Verify ``tasks`` of every contender; return ``{task: {contender: how it was checked}}``.

    The large renders and the measurements without a stored expectation are
    checked against openai_harmony's output, so theirs is always computed.
    """
    raw = wl.load_raw()["workloads"]
    full_oracle = ["render_large_keep_analysis", "render_large_autodrop"]
    outputs: dict[str, dict[str, Any]] = {}
    for name, worker in workers.items():
        full = full_oracle if name == ORACLE else []
        if name.startswith("floor"):
            full = [t for t in worker.tasks if not t.startswith("render_")]
        wanted = [t for t in worker.tasks if t in tasks or (name == ORACLE and t in full_oracle)]
        outputs[name] = worker.request(cmd="outputs", tasks=wanted, full=full)["outputs"]

    expected: dict[str, tuple[str, str]] = {}  # task -> (digest, source)
    oracle = outputs.get(ORACLE)
    for task in wl.MAIN_WORKLOADS:
        entry = raw[task]
        if "expected_tokens" in entry:
            expected[task] = (wl.digest(entry["expected_tokens"]), "workloads.json expected_tokens")
        elif "expected_len" in entry:
            if oracle is None:
                raise BenchError(f"{task}: workloads.json has only a length; openai_harmony is needed to check it")
            got = oracle[task]
            if got["len"] != entry["expected_len"]:
                raise BenchError(
                    f"{task}: openai_harmony rendered {got['len']} tokens, "
                    f"workloads.json expects {entry['expected_len']}"
                )
            expected[task] = (got["digest"], f"openai_harmony output (length {entry['expected_len']} as expected)")
        else:
            expected[task] = (wl.digest(wl.expected_messages(raw, task)), "workloads.json expected_messages")
    for task in wl.MAIN_WORKLOADS[:3]:
        for mode in ("@from_dict", "@cold_cache"):
            expected[task + mode] = expected[task]
    if oracle is not None:
        keep = oracle["render_large_keep_analysis"]["value"]
        body, tail = keep[:-2], keep[-2:]
        for k in (1, 4, 16, 64):
            expected[f"scale_render_x{k}"] = (wl.digest(body * k + tail), "1x openai_harmony output, repeated")
            messages = wl.expected_messages(raw, "parse_large_completion") * k
            expected[f"scale_parse_x{k}"] = (wl.digest(messages), "workloads.json expected_messages, repeated")
            expected[f"scale_stream_x{k}"] = expected[f"scale_parse_x{k}"]
        for task in (
            "stream_content_token",
            "stream_header_token",
            "parser_construction",
            "messages_every_token",
            "stream_10k_tokens",
            wl.AGENT_TASK,
        ):
            if task in oracle:
                expected[task] = (oracle[task]["digest"], "agrees with openai_harmony")

    report: dict[str, dict[str, str]] = {}
    failures: list[str] = []
    for name, results in outputs.items():
        for task, got in results.items():
            if task not in tasks:
                continue
            if name.startswith("floor") and not task.startswith("render_"):
                messages = wl.expected_messages(raw, task)
                ok = _texts_in_order(got["value"], messages)
                how = "decoded text holds every expected message text, in order"
            else:
                if task not in expected:
                    failures.append(f"{name}/{task}: no expected output known")
                    continue
                want, how = expected[task]
                ok = got["digest"] == want
            if not ok:
                failures.append(f"{name}/{task}: output differs from {how}")
            report.setdefault(task, {})[name] = how
    if failures:
        raise BenchError("output check failed, nothing was timed:\n  " + "\n  ".join(failures))
    log(f"checked {sum(len(v) for v in report.values())} (contender, task) outputs: all equal to the expected output")
    return report


# -- timing ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """Samples of one contender on one task (seconds per call, one per round, on both clocks)."""

    loops: int
    units: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def per_call(self, clock: str) -> list[float]:
        return self.cpu if clock == "cpu" else self.wall


@dataclass
class Plan:
    """Which tasks get how many rounds."""

    rounds: int
    slow_rounds: int
    min_time: float
    warmup: float
    clock: str
    """``"cpu"`` (process CPU time, immune to preemption by other processes) or ``"wall"``."""


def is_slow(task: str) -> bool:
    return task.startswith("scale_") or task in ("messages_every_token", "stream_10k_tokens")


def measure(workers: dict[str, WorkerProcess], tasks: list[str], plan: Plan, log: Any) -> dict[str, dict[str, Cell]]:
    """Calibrate, then run interleaved rounds; return ``{task: {contender: Cell}}``."""
    cells: dict[str, dict[str, Cell]] = {}
    t0 = time.perf_counter()
    for task in tasks:
        for name, worker in workers.items():
            if task not in worker.tasks:
                continue
            warmup = plan.warmup if not is_slow(task) else 0.0
            result = worker.request(cmd="calibrate", task=task, min_time=plan.min_time, warmup=warmup)
            cells.setdefault(task, {})[name] = Cell(loops=int(result["loops"]), units=worker.tasks[task]["units"])
    log(f"calibrated {sum(len(c) for c in cells.values())} cells in {time.perf_counter() - t0:.1f}s")
    max_rounds = max(plan.rounds, plan.slow_rounds)
    for round_index in range(max_rounds):
        t_round = time.perf_counter()
        for task in tasks:
            rounds = plan.slow_rounds if is_slow(task) else plan.rounds
            if round_index >= rounds or task not in cells:
                continue
            names = list(cells[task])
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                cell = cells[task][name]
                sample = workers[name].request(cmd="sample", task=task, loops=cell.loops)
                cell.wall.append(sample["wall"] / cell.loops)
                cell.cpu.append(sample["cpu"] / cell.loops)
        log(f"round {round_index + 1}/{max_rounds} in {time.perf_counter() - t_round:.1f}s")
    return cells


def summarize(cell: Cell, oracle: Cell | None, clock: str) -> dict[str, Any]:
    values = cell.per_call(clock)
    median = statistics.median(values)
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        stdev = statistics.stdev(values)
    else:
        q1 = q3 = median
        stdev = 0.0
    summary: dict[str, Any] = {
        "loops_per_sample": cell.loops,
        "units_per_call": cell.units,
        "samples": len(values),
        "median_s": median,
        "q1_s": q1,
        "q3_s": q3,
        "iqr_s": q3 - q1,
        "iqr_pct": 100.0 * (q3 - q1) / median if median else 0.0,
        "stdev_s": stdev,
        "min_s": min(values),
        "ops_per_s": 1.0 / median if median else float("inf"),
        "ns_per_unit": median * 1e9 / cell.units,
        "clock": clock,
        "per_call_s": values,
        "wall_median_s": statistics.median(cell.wall),
        "cpu_median_s": statistics.median(cell.cpu),
        "cpu_over_wall": statistics.median(c / w for c, w in zip(cell.cpu, cell.wall, strict=True) if w > 0),
    }
    if oracle is not None and oracle.per_call(clock):
        reference = oracle.per_call(clock)
        summary["ratio_vs_oracle"] = statistics.median(reference) / median
        summary["wall_ratio_vs_oracle"] = statistics.median(oracle.wall) / statistics.median(cell.wall)
        # Same rounds; a variant (render_x@cold_cache) pairs with openai_harmony's base task.
        paired = [o / c for o, c in zip(reference, values, strict=False)]
        if len(paired) >= 2:
            p1, _, p3 = statistics.quantiles(paired, n=4, method="inclusive")
        else:
            p1 = p3 = paired[0]
        summary["paired_ratio_median"] = statistics.median(paired)
        summary["paired_ratio_q1"] = p1
        summary["paired_ratio_q3"] = p3
    return summary


def summarize_all(cells: dict[str, dict[str, Cell]], clock: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Statistics of every cell; the ratio is to openai_harmony on the same task or, for a variant
    openai_harmony has not got (``render_x@cold_cache``), on its base task."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for task, by_name in cells.items():
        reference = by_name.get(ORACLE) or cells.get(task.split("@")[0], {}).get(ORACLE)
        out[task] = {name: summarize(cell, reference, clock) for name, cell in by_name.items()}
    return out


# -- cold start and resident memory ---------------------------------------------------------------

_COLD_CODE = """
import json, time
t0 = time.perf_counter()
import {module} as mod
t1 = time.perf_counter()
enc = mod.load_harmony_encoding(mod.HarmonyEncodingName.HARMONY_GPT_OSS)
t2 = time.perf_counter()
def rss():
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    return int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0])
rss_load, _ = rss()
if {action!r} == "render":
    out = enc.render(mod.Message.from_role_and_content(mod.Role.USER, "What is the weather in Paris today?"))
else:
    out = enc.parse_messages_from_completion_tokens({tokens!r}, None)
t3 = time.perf_counter()
rss_kib, hwm_kib = rss()
print(json.dumps({{"import_s": t1 - t0, "load_s": t2 - t1, "action_s": t3 - t2, "rss_load_kib": rss_load,
                  "rss_kib": rss_kib, "hwm_kib": hwm_kib}}))
"""

_BARE_CODE = """
import json
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
rss = int(status["VmRSS"].split()[0])
print(json.dumps({"import_s": 0.0, "load_s": 0.0, "action_s": 0.0, "rss_load_kib": rss,
                  "rss_kib": rss, "hwm_kib": int(status["VmHWM"].split()[0])}))
"""

COLD_ACTIONS = ("render", "parse")
"""What a cold-start process does after loading: render one user message, or parse the tool-call completion."""


@dataclass
class ColdVariant:
    name: str
    module: str | None
    pythonpath: str | None
    vocab_env: bool
    """Whether ``TIKTOKEN_ENCODINGS_BASE`` points at the vocabulary directory."""
    action: str = "render"
    """One of :data:`COLD_ACTIONS` (a parse-only process never needs the BPE)."""


def cold_start(variants: list[ColdVariant], runs: int, log: Any) -> dict[str, dict[str, Any]]:
    """Each variant ``runs`` times in a fresh interpreter (interleaved, after one discarded warm run).

    Recorded per run: wall time of the whole process (interpreter start-up
    included), its CPU time (user + system, from ``RUSAGE_CHILDREN``), the
    in-process import, load and action times, ``VmRSS`` after loading and after the
    action, and ``VmHWM`` at the end.
    """
    vocab = str(wl.vocabulary_dir())
    tokens = wl.parse_spec(wl.load_raw()["workloads"], "parse_tool_call").tokens
    samples: dict[str, list[dict[str, float]]] = {v.name: [] for v in variants}
    for run_index in range(runs + 1):
        shift = run_index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            env = dict(os.environ)
            env.pop("PYTHONPATH", None)
            env.pop("TIKTOKEN_ENCODINGS_BASE", None)
            if variant.pythonpath:
                env["PYTHONPATH"] = variant.pythonpath
            if variant.vocab_env:
                env["TIKTOKEN_ENCODINGS_BASE"] = vocab
            code = (
                _BARE_CODE
                if variant.module is None
                else _COLD_CODE.format(module=variant.module, action=variant.action, tokens=tokens)
            )
            usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd="/", check=False
            )
            wall = time.perf_counter() - start
            usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
            if done.returncode != 0:
                raise BenchError(f"cold start of {variant.name} failed:\n{done.stderr}")
            if run_index == 0:
                continue  # warms the page cache and .pyc files
            record = json.loads(done.stdout.strip().splitlines()[-1])
            record["wall_s"] = wall
            record["cpu_s"] = cpu
            samples[variant.name].append(record)
        log(f"cold start run {run_index}/{runs}")
    result: dict[str, dict[str, Any]] = {}
    for variant in variants:
        records = samples[variant.name]

        def med(key: str, records: list[dict[str, float]] = records) -> float:
            return statistics.median(r[key] for r in records)

        walls = [r["wall_s"] for r in records]
        q1, _, q3 = statistics.quantiles(walls, n=4, method="inclusive") if len(walls) >= 2 else (walls[0],) * 3
        result[variant.name] = {
            "module": variant.module,
            "vocabulary": ("$TIKTOKEN_ENCODINGS_BASE" if variant.vocab_env else "default resolution")
            if variant.module
            else None,
            "action": variant.action if variant.module else None,
            "runs": len(records),
            "wall_s": med("wall_s"),
            "wall_q1_s": q1,
            "wall_q3_s": q3,
            "cpu_s": med("cpu_s"),
            "import_s": med("import_s"),
            "load_s": med("load_s"),
            "action_s": med("action_s"),
            "rss_load_mib": med("rss_load_kib") / 1024,
            "import_load_s": statistics.median(r["import_s"] + r["load_s"] for r in records),
            "rss_mib": med("rss_kib") / 1024,
            "hwm_mib": med("hwm_kib") / 1024,
            "samples": records,
        }
    return result


def pure_path_ok(path: str | None) -> bool:
    return path is not None and (Path(path) / "harmony_typed" / "__init__.py").is_file()
