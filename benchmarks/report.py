"""Tables, targets, the plot and docs/benchmarks.md from a results dict (see :mod:`run`)."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import workloads as wl

ORACLE = "openai_harmony"
NOTES_FILE = wl.HERE / "notes.md"
"""Hand-written sections appended to docs/benchmarks.md verbatim: measurements made outside this
harness (the compat request loop) and before/after records of optimisation work."""
CONTENDER_ORDER = ("openai_harmony", "compiled", "pure", "compat", "floor", "floor_cached")
LABELS = {
    "openai_harmony": "openai_harmony 0.0.8",
    "compiled": "harmony_typed (compiled)",
    "pure": "harmony_typed (pure Python)",
    "compat": "harmony_typed.compat (compiled)",
    "floor": "tiktoken floor",
    "floor_cached": "tiktoken floor, constants cached",
}
SHORT = {
    "openai_harmony": "openai_harmony",
    "compiled": "compiled",
    "pure": "pure",
    "compat": "compat",
    "floor": "floor",
    "floor_cached": "floor (cached)",
}
Results = dict[str, Any]
TIMES = "\u00d7"  # multiplication sign
DASH = "\u2013"  # en dash, for ranges


# -- machine --------------------------------------------------------------------------------


def _first_line_value(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=wl.ROOT, capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def machine_description() -> dict[str, Any]:
    governor = None
    with contextlib.suppress(OSError):
        governor = Path("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").read_text().strip()
    mem_kib = _first_line_value("/proc/meminfo", "MemTotal")
    mem = f"{int(mem_kib.split()[0]) / 2**20:.1f} GiB" if mem_kib else None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _first_line_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory": mem,
        "cpu_governor": governor,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.version.split(' (')[0]})",
        "python_build": " ".join(platform.python_build()),
        "python_compiler": platform.python_compiler(),
        "versions": {
            "tiktoken": _dist_version("tiktoken"),
            "openai-harmony": _dist_version("openai-harmony"),
            "mypy (mypyc)": _dist_version("mypy"),
            "attrs": _dist_version("attrs"),
            "matplotlib": _dist_version("matplotlib"),
        },
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
    }


# -- formatting -------------------------------------------------------------------------------


def fmt_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_ops(ops: float) -> str:
    if ops >= 100:
        return f"{ops:,.0f}"
    return f"{ops:,.1f}"


def fmt_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    if ratio >= 100:
        return f"{ratio:,.0f}{TIMES}"
    if ratio >= 10:
        return f"{ratio:.1f}{TIMES}"
    return f"{ratio:.2f}{TIMES}"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    align: str  # one of "l"/"r" per column

    def text(self) -> str:
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h) for i, h in enumerate(self.headers)
        ]

        def line(cells: Sequence[str]) -> str:
            out = []
            for cell, width, align in zip(cells, widths, self.align, strict=True):
                out.append(cell.ljust(width) if align == "l" else cell.rjust(width))
            return "  ".join(out).rstrip()

        sep = "  ".join("-" * w for w in widths)
        return "\n".join([line(self.headers), sep, *(line(r) for r in self.rows)])

    def markdown(self) -> str:
        head = "| " + " | ".join(self.headers) + " |"
        rule = "|" + "|".join(":---" if a == "l" else "---:" for a in self.align) + "|"
        body = ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in self.rows]
        return "\n".join([head, rule, *body])


def _contenders_of(task: dict[str, Any]) -> list[str]:
    return [c for c in CONTENDER_ORDER if c in task]


def main_table(results: Results, tasks: Sequence[str]) -> Table:
    rows: list[list[str]] = []
    for task in tasks:
        by_contender = results["tasks"].get(task)
        if not by_contender:
            continue
        for i, name in enumerate(_contenders_of(by_contender)):
            s = by_contender[name]
            paired = ""
            if name != ORACLE and "paired_ratio_q1" in s:
                paired = f"{fmt_ratio(s['paired_ratio_q1'])}{DASH}{fmt_ratio(s['paired_ratio_q3'])}"
            rows.append(
                [
                    task if i == 0 else "",
                    SHORT[name],
                    fmt_ops(s["ops_per_s"]),
                    fmt_time(s["median_s"]),
                    f"±{s['iqr_pct'] / 2:.1f}%",
                    fmt_ratio(s.get("ratio_vs_oracle")),
                    paired,
                ]
            )
    return Table(
        ["workload", "contender", "ops/s", "median", "IQR/2", f"{TIMES} openai_harmony", "paired ratio IQR"],
        rows,
        "llrrrrr",
    )


def per_token_table(results: Results) -> Table:
    spec = [
        ("stream_content_token", "stream parser, per content token"),
        ("stream_header_token", "stream parser, per header token (tool-call header)"),
        ("parser_construction", "StreamableParser(enc, None)"),
        ("stream_10k_tokens", "10,000-token stream, per token (process only)"),
        ("messages_every_token", "10,000-token stream, per token, reading .messages after each"),
    ]
    tasks = results["tasks"]
    names = [c for c in ("openai_harmony", "compiled", "pure") if any(c in tasks.get(t, {}) for t, _ in spec)]
    rows: list[list[str]] = []
    for task, label in spec:
        by_contender = results["tasks"].get(task, {})
        row = [label]
        for name in names:
            s = by_contender.get(name)
            row.append(fmt_time(s["ns_per_unit"] / 1e9) if s else "—")
        comp = by_contender.get("compiled")
        row.append(fmt_ratio(comp.get("ratio_vs_oracle")) if comp else "—")
        rows.append(row)
    return Table(
        ["measurement", *[SHORT[n] for n in names], f"compiled {TIMES} openai_harmony"],
        rows,
        "l" + "r" * (len(names) + 1),
    )


def messages_overhead(results: Results) -> dict[str, float]:
    """Extra time per ``.messages`` read on the 10,000-token stream (reading minus not reading)."""
    out: dict[str, float] = {}
    with_reads = results["tasks"].get("messages_every_token", {})
    without = results["tasks"].get("stream_10k_tokens", {})
    for name in with_reads:
        if name in without:
            out[name] = (with_reads[name]["median_s"] - without[name]["median_s"]) / with_reads[name]["units_per_call"]
    return out


def scaling_analysis(results: Results) -> dict[str, dict[str, Any]]:
    """Per kind (render/parse/stream) and contender: time per size, per-copy time, fitted exponent."""
    analysis: dict[str, dict[str, Any]] = {}
    tasks = results["tasks"]
    for kind in ("render", "parse", "stream"):
        sizes = sorted(int(t.rsplit("x", 1)[1]) for t in tasks if t.startswith(f"scale_{kind}_x"))
        if len(sizes) < 2:
            continue
        for name in CONTENDER_ORDER:
            points = [
                (k, tasks[f"scale_{kind}_x{k}"][name]["median_s"]) for k in sizes if name in tasks[f"scale_{kind}_x{k}"]
            ]
            if len(points) < 2:
                continue
            xs = [math.log(k) for k, _ in points]
            ys = [math.log(t) for _, t in points]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
            per_copy = [t / k for k, t in points]
            growth = per_copy[-1] / per_copy[0]
            analysis.setdefault(kind, {})[name] = {
                "sizes": [k for k, _ in points],
                "seconds": [t for _, t in points],
                "seconds_per_copy": per_copy,
                "exponent": slope,
                "per_copy_growth": growth,
                "linear": slope <= 1.10 and growth <= 1.5,
            }
    return analysis


def scaling_table(analysis: dict[str, dict[str, Any]]) -> Table:
    rows: list[list[str]] = []
    sizes: list[int] = []
    for by_name in analysis.values():
        for entry in by_name.values():
            sizes = sorted(set(sizes) | set(entry["sizes"]))
    for kind, by_name in analysis.items():
        for name, entry in by_name.items():
            times = dict(zip(entry["sizes"], entry["seconds"], strict=True))
            row = [kind, SHORT[name]]
            row += [fmt_time(times[k]) if k in times else "—" for k in sizes]
            row += [f"{entry['exponent']:.2f}", f"{entry['per_copy_growth']:.2f}", "yes" if entry["linear"] else "NO"]
            rows.append(row)
    return Table(
        ["kind", "contender", *[f"{k}{TIMES}" for k in sizes], "exponent", "per-copy growth", "linear"],
        rows,
        "ll" + "r" * (len(sizes) + 3),
    )


def cold_table(cold: dict[str, dict[str, Any]]) -> Table:
    rows = []
    for name, c in cold.items():
        loaded = bool(c["module"])
        rows.append(
            [
                name,
                c["vocabulary"] or "—",
                (c.get("action") or "—") if loaded else "—",
                fmt_time(c["wall_s"]),
                f"{fmt_time(c['wall_q1_s'])}{DASH}{fmt_time(c['wall_q3_s'])}",
                fmt_time(c["cpu_s"]),
                fmt_time(c["import_s"]) if loaded else "—",
                fmt_time(c["load_s"]) if loaded else "—",
                fmt_time(c["action_s"]) if loaded and "action_s" in c else "—",
                f"{c.get('rss_load_mib', c['rss_mib']):.1f} MiB",
                f"{c['rss_mib']:.1f} MiB",
                f"{c['hwm_mib']:.1f} MiB",
            ]
        )
    return Table(
        [
            "variant",
            "vocabulary from",
            "then",
            "process wall (median)",
            "wall IQR",
            "process CPU",
            "import",
            "load encoding",
            "render / parse",
            "RSS after load",
            "RSS at exit",
            "peak RSS",
        ],
        rows,
        "lllrrrrrrrrr",
    )


# -- targets ----------------------------------------------------------------------------------

RATIO_TARGETS = (
    ("render_tool_call", "tool-call render", 40.0),
    ("render_large_autodrop", "large render, auto-drop", 3.6),
    ("render_large_keep_analysis", "large render, keep analysis", 3.5),
    ("parse_tool_call", "tool-call parse", 100.0),
    ("stream_parse_tool_call", "tool-call stream parse", 80.0),
    ("parse_large_completion", "large completion parse", 40.0),
    ("stream_parse_large_completion", "large completion stream parse", 12.0),
)
SERVER_RATIO_TARGETS = (
    ("render_tool_call@from_dict", "tool-call render, built from dicts per request", 30.0),
    (wl.AGENT_TASK, f"agent loop ({wl.AGENT_ROUNDS} tool rounds, each rendered from dicts)", 25.0),
)
"""Issue 15: what a server does (every request arrives as JSON)."""
COLD_WALL_TARGET = 0.6
"""Issue 15: a fresh process (import, load, then render or parse), as a fraction of openai_harmony's wall time."""
NS_TARGETS = (
    ("stream_content_token", "stream cost per content token", 100.0),
    ("stream_header_token", "stream cost per header token", 1000.0),
    ("parser_construction", "parser construction", 2000.0),
)
PARSE_TASKS = ("parse_tool_call", "stream_parse_tool_call", "parse_large_completion", "stream_parse_large_completion")


def targets(results: Results) -> list[dict[str, Any]]:
    tasks = results["tasks"]
    out: list[dict[str, Any]] = []
    for task, label, goal in (*RATIO_TARGETS, *SERVER_RATIO_TARGETS):
        s = tasks.get(task, {}).get("compiled")
        value = s.get("ratio_vs_oracle") if s else None
        out.append(
            {
                "target": f"{label} ≥ {goal:g}{TIMES} openai_harmony",
                "task": task,
                "goal": goal,
                "value": value,
                "shown": fmt_ratio(value),
                "met": value is not None and value >= goal,
            }
        )
    for task, label, goal in NS_TARGETS:
        s = tasks.get(task, {}).get("compiled")
        value = s["ns_per_unit"] if s else None
        out.append(
            {
                "target": f"{label} ≤ {fmt_time(goal / 1e9)}",
                "task": task,
                "goal": goal,
                "value": value,
                "shown": fmt_time(value / 1e9) if value is not None else "—",
                "met": value is not None and value <= goal,
            }
        )
    cold = results.get("cold_start", {})
    for ours, theirs, what in (
        ("compiled", ORACLE, "render one message"),
        ("compiled, parse only", f"{ORACLE}, parse only", "parse one completion"),
    ):
        comp, oracle = cold.get(ours), cold.get(theirs)
        if comp and oracle:
            ratio = comp["wall_s"] / oracle["wall_s"]
            out.append(
                {
                    "target": f"cold start (fresh process: import, load, {what}) wall "
                    f"≤ {COLD_WALL_TARGET:g}{TIMES} openai_harmony",
                    "task": "cold_start" if ours == "compiled" else "cold_start_parse",
                    "goal": COLD_WALL_TARGET,
                    "value": ratio,
                    "shown": f"{ratio:.2f}{TIMES} ({fmt_time(comp['wall_s'])} vs {fmt_time(oracle['wall_s'])}; "
                    f"cpu {fmt_time(comp['cpu_s'])} vs {fmt_time(oracle['cpu_s'])})",
                    "met": ratio <= COLD_WALL_TARGET,
                }
            )
    comp, oracle = cold.get("compiled"), cold.get(ORACLE)
    if comp and oracle:
        for key, when in (("rss_load_mib", "after load"), ("rss_mib", "after rendering one message")):
            if key in comp and key in oracle:
                ratio = comp[key] / oracle[key]
                out.append(
                    {
                        "target": f"RSS {when} ≤ 1{TIMES} openai_harmony",
                        "task": f"cold_start_{key}",
                        "goal": 1.0,
                        "value": ratio,
                        "shown": f"{ratio:.2f}{TIMES} ({comp[key]:.1f} vs {oracle[key]:.1f} MiB)",
                        "met": ratio <= 1.0,
                    }
                )
    ratios = []
    for task in PARSE_TASKS:
        comp_s, pure_s = tasks.get(task, {}).get("compiled"), tasks.get(task, {}).get("pure")
        if comp_s and pure_s:
            ratios.append((task, pure_s["median_s"] / comp_s["median_s"]))
    if ratios:
        worst = min(r for _, r in ratios)
        short = {
            "parse_tool_call": "tool-call",
            "stream_parse_tool_call": "tool-call stream",
            "parse_large_completion": "large",
            "stream_parse_large_completion": "large stream",
        }
        shown = ", ".join(f"{short[t]} {fmt_ratio(r)}" for t, r in ratios)
        out.append(
            {
                "target": f"compiled ≥ 3{TIMES} the pure build on parsing",
                "task": "compiled_vs_pure_parse",
                "goal": 3.0,
                "value": worst,
                "shown": shown,
                "met": worst >= 3.0,
                "per_task": dict(ratios),
            }
        )
    return out


def targets_table(rows: list[dict[str, Any]]) -> Table:
    def verdict(row: dict[str, Any]) -> str:
        if row["value"] is None:
            return "not measured"
        return "yes" if row["met"] else "**no**"

    return Table(
        ["target (harmony_typed compiled)", "measured", "met"],
        [[r["target"], r["shown"], verdict(r)] for r in rows],
        "lrl",
    )


# -- plot -----------------------------------------------------------------------------------


def plot_ratios(results: Results, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        return False
    tasks = [t for t in wl.MAIN_WORKLOADS if t in results["tasks"]]
    names = [
        n
        for n in ("compiled", "pure", "compat", "floor", "floor_cached")
        if any(n in results["tasks"][t] for t in tasks)
    ]
    colors = {
        "compiled": "#1f77b4",
        "pure": "#9ecae1",
        "compat": "#2ca02c",
        "floor": "#7f7f7f",
        "floor_cached": "#c7c7c7",
    }
    goals = {task: goal for task, _, goal in RATIO_TARGETS}
    fig, ax = plt.subplots(figsize=(11, 5.2), dpi=110)
    width = 0.8 / max(len(names), 1)
    for j, name in enumerate(names):
        xs, ys = [], []
        for i, task in enumerate(tasks):
            s = results["tasks"][task].get(name)
            if s and s.get("ratio_vs_oracle"):
                xs.append(i + (j - (len(names) - 1) / 2) * width)
                ys.append(s["ratio_vs_oracle"])
        bars = ax.bar(xs, ys, width, label=LABELS[name], color=colors[name], edgecolor="black", linewidth=0.4)
        if name == "compiled":
            for bar, y in zip(bars, ys, strict=True):
                ax.annotate(
                    fmt_ratio(y),
                    (bar.get_x() + bar.get_width() / 2, y),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
    for i, task in enumerate(tasks):
        if task in goals:
            ax.hlines(
                goals[task],
                i - 0.45,
                i + 0.45,
                colors="#d62728",
                linestyles="--",
                linewidth=1.2,
                label="target (compiled)" if i == 0 else "_nolegend_",
            )
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:g}{TIMES}"))
    ax.set_xticks(range(len(tasks)))
    ax.set_xticklabels([t.replace("_", "\n", 1) for t in tasks], fontsize=8)
    ax.set_ylabel(f"speed vs openai_harmony 0.0.8 ({TIMES}, log scale; 1 = openai_harmony)")
    machine = results["meta"]["machine"]
    ax.set_title(
        f"harmony_typed vs openai_harmony — {machine['cpu']}, Python {platform.python_version()}, "
        f"{results['meta']['mode']} run",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


def plot_scaling(analysis: dict[str, dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    if not analysis:
        return False
    fig, axes = plt.subplots(1, len(analysis), figsize=(4 * len(analysis), 3.6), dpi=110)
    if len(analysis) == 1:
        axes = [axes]
    for ax, (kind, by_name) in zip(axes, analysis.items(), strict=True):
        for name, entry in by_name.items():
            ax.plot(entry["sizes"], entry["seconds"], marker="o", label=f"{SHORT[name]} (k^{entry['exponent']:.2f})")
        ax.set_xscale("log", base=2)
        ax.set_xticks(entry["sizes"])
        ax.set_xticklabels([f"{k}{TIMES}" for k in entry["sizes"]])
        ax.set_yscale("log")
        ax.set_title(f"{kind}: time vs size ({TIMES} large workload)", fontsize=9)
        ax.set_xlabel("copies of the large workload")
        ax.set_ylabel("seconds per call")
        ax.legend(fontsize=7)
        ax.grid(which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


# -- documents ----------------------------------------------------------------------------------


def headline_markdown(results: Results) -> str:
    tasks = results["tasks"]
    goals = {task: goal for task, _, goal in RATIO_TARGETS}
    rows = []
    for task in wl.MAIN_WORKLOADS:
        by = tasks.get(task)
        if not by or ORACLE not in by or "compiled" not in by:
            continue
        comp = by["compiled"]
        pure = by.get("pure")
        floor = by.get("floor")
        rows.append(
            [
                f"`{task}`",
                fmt_ops(by[ORACLE]["ops_per_s"]),
                fmt_ops(comp["ops_per_s"]),
                f"**{fmt_ratio(comp['ratio_vs_oracle'])}**",
                fmt_ratio(pure["ratio_vs_oracle"]) if pure else "—",
                fmt_ratio(floor["ratio_vs_oracle"]) if floor else "—",
                f"≥ {goals[task]:g}{TIMES}",
            ]
        )
    table = Table(
        [
            "workload",
            "openai_harmony ops/s",
            "harmony_typed ops/s",
            "speed-up",
            "pure-Python build",
            "tiktoken floor",
            "target",
        ],
        rows,
        "lrrrrrr",
    )
    machine = results["meta"]["machine"]
    session = "`nox -s bench`" if results["meta"]["mode"] == "full" else "`nox -s bench_quick`"
    note = (
        f"Measured {machine['date']} on {machine['cpu']} ({machine['usable_cpus']} CPUs), "
        f"{machine['python'].split(' (')[0]}, openai_harmony {machine['versions']['openai-harmony']}, "
        f"tiktoken {machine['versions']['tiktoken']}; {results['meta']['mode']} run ({session}). "
        "Outputs are checked equal to the expected tokens/messages before timing; "
        "full method, spread and more measurements in [docs/benchmarks.md](docs/benchmarks.md)."
    )
    return table.markdown() + "\n\n" + note + "\n"


def benchmarks_markdown(results: Results, plot_name: str | None, scaling_plot: str | None) -> str:
    meta = results["meta"]
    machine = meta["machine"]
    contenders = meta["contenders"]
    lines: list[str] = []
    add = lines.append
    add("# Benchmarks")
    add("")
    add("<!-- Generated by `python benchmarks/run.py` (`nox -s bench`); do not edit by hand. -->")
    add("")
    add(
        f"{meta['mode'].capitalize()} run of {machine['date']}. harmony_typed against openai_harmony 0.0.8 and the "
        "tiktoken floor on harmony-go's seven workloads (`benchmarks/workloads.json`), all contenders in one run, "
        "each in its own interpreter, sampled in interleaved rounds. Every output was checked equal to the "
        "expected output before anything was timed."
    )
    add("")
    add("## Machine")
    add("")
    mrows = [
        ["CPU", f"{machine['cpu']}"],
        ["CPUs (logical / usable)", f"{machine['logical_cpus']} / {machine['usable_cpus']}"],
        ["memory", str(machine["memory"])],
        ["CPU frequency governor", str(machine["cpu_governor"] or "not exposed")],
        [
            "load average at start / end",
            ", ".join(f"{x:.2f}" for x in machine["load_average"] or [])
            + " / "
            + ", ".join(f"{x:.2f}" for x in meta.get("load_average_end") or []),
        ],
        ["OS", machine["platform"]],
        ["Python", f"{machine['python']}, {machine['python_compiler']}"],
    ]
    for dist, version in machine["versions"].items():
        mrows.append([dist, str(version)])
    for name, info in contenders.items():
        if name in ("compiled", "pure"):
            mrows.append(
                [
                    f"harmony_typed {name} build",
                    f"{info['version']}, COMPILED={info['compiled']}, `{_short_path(info['file'])}`",
                ]
            )
    mrows.append(["git commit", f"{machine['git_commit']}{' (uncommitted changes)' if machine['git_dirty'] else ''}"])
    mrows.append(["date", machine["date"]])
    add(Table(["", ""], mrows, "ll").markdown())
    add("")
    add("## Speed relative to openai_harmony")
    add("")
    if plot_name:
        add(f"![ratios vs openai_harmony, log scale](img/{plot_name})")
        add("")
    add(
        "Ratio = median time of openai_harmony / median time of the contender (higher is faster); the paired "
        "ratio IQR is the spread of the per-round ratios (each round samples all contenders back to back). "
        "`IQR/2` is half the interquartile range of the per-call times, relative to the median."
    )
    add("")
    add(main_table(results, [t for t in wl.MAIN_WORKLOADS]).markdown())
    add("")
    add("### Targets (issues 7 and 15)")
    add("")
    add(targets_table(results["targets"]).markdown())
    add("")
    add("### Rendering variants")
    add("")
    add(
        "harmony_typed caches token lists of constant pieces (role words, header fields, system and developer "
        "content). The main table renders the same `Conversation` object repeatedly, as harmony-go's benchmark "
        "does. Two harder variants: `@from_dict` builds the `Conversation` from the JSON dict inside every call "
        "(a server that receives the conversation per request; the developer content, which holds a tools map, "
        "is then a new object and misses its cache), and `@cold_cache` clears harmony_typed's renderer caches "
        "before every call (no caching at all). `agent_loop_12_rounds@from_dict` is a server driving an agent: "
        "system and developer messages (three function tools), a question, then 12 tool rounds; one call "
        "builds each of the 12 growing conversations from its dicts and renders it for completion."
    )
    add("")
    variants = [t for t in results["tasks"] if "@" in t]
    add(main_table(results, variants).markdown())
    add("")
    add("## Streaming, per token")
    add("")
    add(
        "Per content token: 25 parsers, each already past the header, are fed the large completion's first "
        "message body (the time of the `process` calls only, divided by the tokens). Per header token: 1,000 "
        "fresh parsers are each fed the tool-call header `<|start|>assistant<|channel|>commentary "
        "to=functions.get_weather<|constrain|>json<|message|>` (header parsing at `<|message|>` included). "
        "Parser construction: `StreamableParser(enc, None)` in a loop. The 10,000-token stream is the large "
        "completion repeated; `.messages` read after every token shows whether reading it is O(1) or copies."
    )
    add("")
    add(per_token_table(results).markdown())
    add("")
    overhead = messages_overhead(results)
    if overhead:
        add(
            "Extra time per `.messages` read on that stream: "
            + ", ".join(f"{SHORT[n]} {fmt_time(v)}" for n, v in overhead.items())
            + "."
        )
        add("")
    add("## Cold start and memory")
    add("")
    add(
        "A fresh interpreter per run (`python -c`), runs interleaved, one warm-up run discarded; "
        "process wall time includes interpreter start-up. `bare` is an interpreter that imports nothing. "
        "Each process imports, loads the encoding, then either renders one user message (`then: render`) or "
        "parses the tool-call completion (`then: parse`; a parse-only process needs no BPE). RSS is `VmRSS` "
        "from `/proc/self/status` right after `load_harmony_encoding` and again at the end."
    )
    add("")
    if results.get("cold_start"):
        add(cold_table(results["cold_start"]).markdown())
        add("")
    add("## Scaling")
    add("")
    add(
        "Render (analysis kept) and parse time of the large workload repeated k times. `exponent` is the slope "
        "of log(time) against log(k) (1 = linear); `per-copy growth` is (time/k at the largest k) / (time at 1x). "
        "Linear = exponent ≤ 1.10 and per-copy growth ≤ 1.5."
    )
    add("")
    analysis = results.get("scaling", {})
    if analysis:
        add(scaling_table(analysis).markdown())
        add("")
        if scaling_plot:
            add(f"![scaling](img/{scaling_plot})")
            add("")
    add("## Method")
    add("")
    gc_policy = next(iter(contenders.values()))["gc"]["policy"]
    add(
        f"* Harness: `benchmarks/harness.py` (our own, no pyperf: pyperf spawns its own processes per benchmark, "
        f"which rules out interleaving the contenders round by round). {meta['rounds']} rounds for the workloads "
        f"and per-token measurements, {meta['slow_rounds']} for the 10,000-token `.messages` stream and scaling; "
        f"each sample is as many calls as take ≥ {meta['min_time'] * 1e3:.0f} ms after a "
        f"{meta['warmup'] * 1e3:.0f} ms warm-up."
    )
    clock = meta.get("clock", "wall")
    add(
        "* Clock: "
        + (
            "the worker's process CPU time around the timed loop (`time.process_time_ns`), so that "
            "other work on this small shared machine does not inflate the numbers; wall-clock medians "
            "are in the JSON (`wall_median_s`, `cpu_over_wall`). All contenders are single-threaded "
            "in these calls."
            if clock == "cpu"
            else "wall clock (`time.perf_counter_ns`)."
        )
    )
    add(
        f"* GC: {gc_policy} (thresholds {next(iter(contenders.values()))['gc']['thresholds']}). The GC is enabled "
        "outside the timed loops."
    )
    add(
        "* Contenders: each in its own interpreter (`run.py --worker NAME`); the pure-Python build comes from "
        "its own directory (`--pure-path`) first on `PYTHONPATH`, and each worker reports which file it imported "
        "and its `COMPILED` flag, which the runner checks."
    )
    add(
        "* tiktoken floor: `encode_ordinary` of exactly the pieces SPEC §2/§3/§5 says a renderer must encode "
        "(derived from the conversation before timing), plus appending the special ids; `floor (cached)` looks "
        "the constant pieces (role words, header fields, system/developer text) up in a dict and encodes only "
        "message text. For parsing: `decode_bytes` + UTF-8 decode of the same tokens."
    )
    add(
        "* Checks before timing: render tokens equal `expected_tokens` (or, for the large renders, of which "
        "workloads.json keeps only the length, openai_harmony's output of that length); parsed messages' "
        "`to_dict()` equal `expected_messages`; measurements without stored expectations equal openai_harmony's "
        "output."
    )
    add("* Reproduce: `nox -s bench` (full) or `nox -s bench_quick`; JSON in `benchmarks/results/`.")
    add("")
    if NOTES_FILE.is_file():
        add(NOTES_FILE.read_text(encoding="utf-8").rstrip("\n"))
        add("")
    return "\n".join(lines)


def _short_path(path: str | None) -> str:
    if not path:
        return "?"
    parts = Path(path).parts
    return "/".join(parts[-3:])
