"""Benchmark suite: harmony_typed (compiled and pure) vs openai_harmony 0.0.8 and the tiktoken floor.

    python benchmarks/run.py --pure-path DIR            # full run (what `nox -s bench` does)
    python benchmarks/run.py --pure-path DIR --quick    # < 2 minutes (`nox -s bench_quick`)

The current interpreter's ``harmony_typed`` is the compiled contender
(``--compiled-path DIR`` puts another install first); the pure-Python build
is imported from ``--pure-path`` (``pip install --target DIR`` of the wheel
built with ``HARMONY_TYPED_PURE=1``). Each contender runs in its own worker
interpreter (``--worker NAME``, internal). Outputs: a table on stdout,
``benchmarks/results/{full,quick}.json``, ``docs/img/bench_*.png``,
``docs/benchmarks.md`` and ``benchmarks/results/headline.md``.

See benchmarks/README.md for the method and every option.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import harness
import report
import workloads as wl

RESULTS_DIR = wl.HERE / "results"
DOCS_DIR = wl.ROOT / "docs"
_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[bench {time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds, shorter samples, no 64x scale, 3 cold starts (< 2 min)"
    )
    parser.add_argument("--pure-path", help="directory holding the pure-Python build of harmony_typed")
    parser.add_argument("--compiled-path", help="directory put first on PYTHONPATH for the compiled contender")
    parser.add_argument(
        "--contenders",
        default="compiled,pure,compat,openai_harmony,floor,floor_cached",
        help="comma-separated subset (default: all)",
    )
    parser.add_argument("--tasks", help="comma-separated task-name prefixes to run (default: all)")
    parser.add_argument("--rounds", type=int, help="rounds for workloads and per-token measurements")
    parser.add_argument("--slow-rounds", type=int, help="rounds for the .messages stream and scaling")
    parser.add_argument("--min-time", type=float, help="seconds per sample (calibration target)")
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="time reported: process CPU time (default; robust to other load) or wall clock",
    )
    parser.add_argument("--cold-runs", type=int, help="fresh-process runs per cold-start variant")
    parser.add_argument("--no-cold", action="store_true", help="skip cold start and RSS")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/ and headline.md (JSON only)")
    parser.add_argument("--results", type=Path, help="JSON output path (default benchmarks/results/<mode>.json)")
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="RESULTS",
        help="measure nothing: rewrite the docs, plots and headline from a results JSON",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--scales", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _task_order(workers: dict[str, harness.WorkerProcess], prefixes: list[str] | None) -> list[str]:
    names: list[str] = []
    for worker in workers.values():
        for task in worker.tasks:
            if task not in names:
                names.append(task)
    if prefixes:
        names = [t for t in names if any(t.startswith(p) for p in prefixes)]
    # Main workloads first, then variants and per-token measurements, then the slow ones.
    return sorted(names, key=lambda t: (harness.is_slow(t), "@" in t, names.index(t)))


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.worker:
        import worker

        scales = tuple(int(s) for s in args.scales.split(",")) if args.scales else wl.SCALES_QUICK
        return worker.main(args.worker, scales)

    if args.from_json:
        loaded: dict[str, Any] = json.loads(args.from_json.read_text(encoding="utf-8"))
        write_docs(loaded)
        print_summary(loaded)
        return 0

    mode = "quick" if args.quick else "full"
    scales = wl.SCALES_QUICK if args.quick else wl.SCALES_FULL
    plan = harness.Plan(
        rounds=args.rounds or (7 if args.quick else 31),
        slow_rounds=args.slow_rounds or (3 if args.quick else 7),
        min_time=args.min_time or (0.005 if args.quick else 0.025),
        warmup=0.02 if args.quick else 0.2,
        clock=args.clock,
    )
    cold_runs = args.cold_runs or (3 if args.quick else 15)
    wanted = [c.strip() for c in args.contenders.split(",") if c.strip()]
    if "pure" in wanted and not harness.pure_path_ok(args.pure_path):
        log(f"no pure build at --pure-path {args.pure_path!r}: the pure contender is skipped")
        wanted.remove("pure")
    paths = {"pure": args.pure_path, "compiled": args.compiled_path, "compat": args.compiled_path}
    machine = report.machine_description()
    log(f"{mode} run on {machine['cpu']}, {machine['usable_cpus']} CPUs; contenders: {', '.join(wanted)}")

    workers: dict[str, harness.WorkerProcess] = {}
    try:
        for name in wanted:
            workers[name] = harness.WorkerProcess(name, scales, paths.get(name))
            info = workers[name].ready["info"]
            log(
                f"worker {name}: {info.get('module')} {info.get('version')} compiled={info.get('compiled')} "
                f"({info.get('file', '')}) ready in {workers[name].ready['setup_s']:.1f}s"
            )
        for name, expect in (("compiled", True), ("compat", True), ("pure", False)):
            if name in workers and workers[name].ready["info"]["compiled"] is not expect:
                raise harness.BenchError(
                    f"the {name!r} contender imported {workers[name].ready['info']['file']} with "
                    f"COMPILED={workers[name].ready['info']['compiled']}, expected {expect}"
                )
        tasks = _task_order(workers, args.tasks.split(",") if args.tasks else None)
        checks = harness.check_outputs(workers, tasks, log)
        cells = harness.measure(workers, tasks, plan, log)
    except harness.BenchError as exc:
        log(f"FAILED: {exc}")
        return 1
    finally:
        for w in workers.values():
            w.close()

    results: dict[str, Any] = {
        "meta": {
            "mode": mode,
            "machine": machine,
            "rounds": plan.rounds,
            "slow_rounds": plan.slow_rounds,
            "min_time": plan.min_time,
            "warmup": plan.warmup,
            "clock": plan.clock,
            "load_average_end": list(os.getloadavg()),
            "scales": list(scales),
            "contenders": {
                name: {**w.ready["info"], "gc": w.ready["gc"], "python": w.ready["python"]}
                for name, w in workers.items()
            },
        },
        "checks": checks,
        "tasks": harness.summarize_all(cells, plan.clock),
    }
    if not args.no_cold:
        variants = [harness.ColdVariant("bare", None, None, vocab_env=False)]
        if "compiled" in wanted:
            variants.append(harness.ColdVariant("compiled", "harmony_typed", args.compiled_path, vocab_env=True))
            variants.append(
                harness.ColdVariant(
                    "compiled, parse only", "harmony_typed", args.compiled_path, vocab_env=True, action="parse"
                )
            )
            if not args.quick:
                variants.append(
                    harness.ColdVariant(
                        "compiled, default vocabulary lookup", "harmony_typed", args.compiled_path, vocab_env=False
                    )
                )
        if "pure" in wanted:
            variants.append(harness.ColdVariant("pure", "harmony_typed", args.pure_path, vocab_env=True))
        if "openai_harmony" in wanted:
            variants.append(harness.ColdVariant("openai_harmony", "openai_harmony", None, vocab_env=True))
            variants.append(
                harness.ColdVariant(
                    "openai_harmony, parse only", "openai_harmony", None, vocab_env=True, action="parse"
                )
            )
        try:
            results["cold_start"] = harness.cold_start(variants, cold_runs, log)
        except harness.BenchError as exc:
            log(f"FAILED: {exc}")
            return 1
    results["scaling"] = report.scaling_analysis(results)
    results["targets"] = report.targets(results)

    out_path = args.results or RESULTS_DIR / f"{mode}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {out_path}")
    if not args.no_docs:
        write_docs(results)
    print_summary(results)
    return 0


def write_docs(results: dict[str, Any]) -> None:
    img = DOCS_DIR / "img"
    ratios_png = "bench_ratios.png" if report.plot_ratios(results, img / "bench_ratios.png") else None
    scaling_ok = report.plot_scaling(results["scaling"], img / "bench_scaling.png")
    scaling_png = "bench_scaling.png" if scaling_ok else None
    (DOCS_DIR / "benchmarks.md").write_text(
        report.benchmarks_markdown(results, ratios_png, scaling_png), encoding="utf-8"
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "headline.md").write_text(report.headline_markdown(results), encoding="utf-8")
    log("wrote docs/benchmarks.md, docs/img/bench_*.png, benchmarks/results/headline.md")


def print_summary(results: dict[str, Any]) -> None:
    out = sys.stdout
    machine = results["meta"]["machine"]
    out.write(f"\nharmony_typed benchmarks ({results['meta']['mode']}) — {machine['cpu']}, {machine['python']}\n\n")
    out.write(report.main_table(results, list(wl.MAIN_WORKLOADS)).text() + "\n\n")
    variants = [t for t in results["tasks"] if "@" in t]
    if variants:
        out.write(report.main_table(results, variants).text() + "\n\n")
    out.write(report.per_token_table(results).text() + "\n\n")
    if results.get("cold_start"):
        out.write(report.cold_table(results["cold_start"]).text() + "\n\n")
    if results.get("scaling"):
        out.write(report.scaling_table(results["scaling"]).text() + "\n\n")
    out.write(report.targets_table(results["targets"]).text().replace("**", "") + "\n")
    out.flush()


if __name__ == "__main__":
    sys.exit(main())
