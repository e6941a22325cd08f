"""Driver of scripts/bench-forecast-series.sh: every real series, every forecasting architecture, through the API.

    python3 scripts/bench_forecast_series.py HOST:PORT/api/v1 SERIES_DIR EPOCHS GLOBAL_EPOCHS "ARCHS" OUT_DIR \
        [ONLY] [EXTRA_HP]
    python3 scripts/bench_forecast_series.py --summary OUT_DIR/rows.csv "ARCHS"    # the tables of a (partial) run

Series: every numeric column of ../shared/data/series/datasets_EuStockMarkets.csv (DAX, SMI, CAC, FTSE), every
stock of fBasics_DowJones30.csv (30 closes) and the Close of timeSeries_MSFT.csv (named MSFT-2000 here; the Dow
file's MSFT is another, longer series). ONLY (optional, space separated) keeps just those series.

Each (series, architecture) is one training job with the defaults a new user gets (window 60, hidden 64, 2 layers,
horizon 1, targetTransform auto, the default splits) and only `epochs` set, plus EXTRA_HP (JSON members, e.g.
'"batchSize":64') when the budget asks for it. All jobs are queued at once (the server trains one at a time, oldest
first), then read back in that order: the indices and MSFT-2000, then the global model (one LSTM over the 30 Dow
stocks, `targets`, same hyperparameters), then the per-series LSTM of every Dow stock (its counterpart), then the
other architectures stock by stock, so that a run stopped early still compares the global model with all 30
per-series LSTMs and the architectures on the same stocks. Everything read comes from the versions' metrics: holdout MASE of the model
and of naive, relativeMae, the Diebold-Mariano statistic and p-value, beatsNaive (significant at 5 %) and
beatsNaiveRaw, and the holdout band coverage at 80/90/95 % (metrics.backtest.bandCoverage).

Writes OUT_DIR/rows.csv (one row per series and model, written as results arrive) and prints the summary tables.
"""
import csv, json, math, os, statistics, sys, time
from forecast_api import Api

LEVELS = ("0.8", "0.9", "0.95")
FIELDS = ["series", "architecture", "transform", "bestEpoch", "seconds", "modelMase", "naiveMase", "relativeMae",
          "dmStatistic", "pValue", "beatsNaive", "beatsNaiveRaw", "coverage80", "coverage90", "coverage95",
          "holdoutWindows", "error"]
NUMBERS = {"bestEpoch", "seconds", "modelMase", "naiveMase", "relativeMae", "dmStatistic", "pValue", "coverage80",
           "coverage90", "coverage95", "holdoutWindows"}
# (dataset name, file, [(series name, column)] or None for every column but the first, the date or time)
FILES = [
    ("eu-stocks", "datasets_EuStockMarkets.csv", None),
    ("msft-2000", "timeSeries_MSFT.csv", [("MSFT-2000", "Close")]),
    ("dow30", "fBasics_DowJones30.csv", None),
]
GLOBAL = "lstm-global"


def columns(path):
    with open(path) as f:
        return [h.strip('"') for h in f.readline().strip().split(",")][1:]


def row(label, arch, metrics, seconds, epoch):
    b = metrics["backtest"]
    dm = metrics["significance"]["naive"]
    cov = b.get("bandCoverage") or {}
    return {"series": label, "architecture": arch,
            "transform": (metrics.get("targetTransform") or {}).get("chosen"), "bestEpoch": epoch,
            "seconds": round(seconds, 1), "modelMase": b["model"]["mase"], "naiveMase": b["naive"]["mase"],
            "relativeMae": metrics["relativeMae"], "dmStatistic": dm["statistic"], "pValue": dm["pValue"],
            "beatsNaive": metrics["beatsNaive"], "beatsNaiveRaw": metrics["beatsNaiveRaw"],
            "coverage80": (cov.get("0.8") or {}).get("overall"), "coverage90": (cov.get("0.9") or {}).get("overall"),
            "coverage95": (cov.get("0.95") or {}).get("overall"), "holdoutWindows": b["windows"], "error": ""}


def run(api, series_dir, epochs, global_epochs, archs, out_dir, only, extra):
    server = Api(api)
    hyper = json.loads("{" + f'"epochs":{int(epochs)}' + (f",{extra}" if extra else "") + "}")
    global_hyper = {**hyper, "epochs": int(global_epochs)}
    jobs = []  # (series, architecture, job)
    dow = []
    start = time.time()
    print(f"## {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}: {archs}, hyperparameters {hyper} "
          f"(global: {global_hyper}), defaults otherwise", flush=True)
    for name, file, picked in FILES:
        path = os.path.join(series_dir, file)
        picked = picked or [(c, c) for c in columns(path)]
        if only:
            picked = [p for p in picked if p[0] in only]
        if not picked:
            continue
        dataset = server.dataset(name, path)
        if name == "dow30" and int(global_epochs) > 0:
            dow = [column for _, column in picked]
            body = {"model": "s-dow30-global-lstm", "task": "forecasting", "architecture": "lstm",
                    "dataset": dataset, "targets": dow, "hyperparameters": global_hyper}
            jobs.append(("*", GLOBAL, server.submit(body)))
        # the Dow stocks' LSTMs (the global model's counterpart) first, then the other architectures stock by stock
        first = [a for a in archs if a == "lstm"] if dow else []
        order = [(label, column, arch) for label, column in picked for arch in first]
        order += [(label, column, arch) for label, column in picked for arch in archs if arch not in first]
        for label, column, arch in order:
            body = {"model": f"s-{label.lower()}-{arch}", "task": "forecasting", "architecture": arch,
                    "dataset": dataset, "target": column, "hyperparameters": hyper}
            jobs.append((label, arch, server.submit(body)))
    print(f"{len(jobs)} jobs queued", flush=True)
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    with open(os.path.join(out_dir, "rows.csv"), "w", newline="") as f:
        out = csv.DictWriter(f, FIELDS)
        out.writeheader()
        for label, arch, job in jobs:
            version, seconds = server.wait(job, fail=False)
            if version is None:
                got = [{"series": label, "architecture": arch, "error": seconds}]
            elif arch == GLOBAL:
                m = version["metrics"]
                got = [row(s, arch, own, seconds, m["bestEpoch"]) for s, own in m["series"].items()]
                for r in got:
                    r["transform"] = r["transform"] or version["forecast"].get("targetTransform")
            else:
                got = [row(label, arch, version["metrics"], seconds, version["metrics"]["bestEpoch"])]
            for r in got:
                out.writerow(r)
                rows.append(r)
            f.flush()
            r = got[0]
            print(f"{time.time() - start:6.0f} s  {label:10} {arch:17} "
                  + (f"relMAE {r['relativeMae']:.4f} p {r['pValue']:.3f} beats {r['beatsNaive']!s:5} "
                     f"cov {r['coverage80']:.3f}/{r['coverage90']:.3f}/{r['coverage95']:.3f} {r['seconds']:.0f} s"
                     if not r["error"] else r["error"]), flush=True)
    print(f"\nrows: {os.path.join(out_dir, 'rows.csv')}; {time.time() - start:.0f} s in all")
    return rows


def fmt(x, digits=3):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def table(title, groups):
    print(f"\n{title}\n")
    print("| architecture | series | median MASE ÷ naive MASE | beat naive at 5 % (DM) | lower MAE than naive "
          "| coverage 80 % | coverage 90 % | coverage 95 % | median train s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, rs in groups:
        ok = [r for r in rs if not r["error"]]
        if not ok:
            print(f"| {name} | 0 | - | - | - | - | - | - | - |")
            continue
        ratio = statistics.median(r["modelMase"] / r["naiveMase"] for r in ok)
        cov = []
        for k in ("coverage80", "coverage90", "coverage95"):
            known = [r[k] for r in ok if r[k] is not None]
            cov.append(statistics.mean(known) if known else None)
        print(f"| {name} | {len(ok)} | {fmt(ratio, 4)} | {sum(1 for r in ok if r['beatsNaive'])} "
              f"| {sum(1 for r in ok if r['beatsNaiveRaw'])} | {fmt(cov[0])} | {fmt(cov[1])} | {fmt(cov[2])} "
              f"| {fmt(statistics.median(r['seconds'] for r in ok), 0)} |")
    failed = [f"{r['series']}/{r['architecture']}: {r['error']}" for _, rs in groups for r in rs if r["error"]]
    if failed:
        print("\nfailed: " + "; ".join(failed))


def summary(rows, archs):
    per_series = [r for r in rows if r["architecture"] != GLOBAL]
    table(f"Every series ({len({r['series'] for r in per_series})}), per-series models",
          [(a, [r for r in per_series if r["architecture"] == a]) for a in archs])
    returns = [r for r in per_series if r.get("transform") == "log-returns"]
    table(f"The series where auto chose log-returns ({len({r['series'] for r in returns})}), per-series models",
          [(a, [r for r in returns if r["architecture"] == a]) for a in archs])
    glob = {r["series"]: r for r in rows if r["architecture"] == GLOBAL and not r["error"]}
    if not glob:
        return
    table(f"The Dow stocks with per-series models too: per-series models against one global LSTM over all "
          f"{len(glob)}", [(a, [r for r in per_series if r["architecture"] == a and r["series"] in glob])
                           for a in archs]
          + [("lstm, global", [r for r in rows if r["architecture"] == GLOBAL
                               and r["series"] in {p["series"] for p in per_series}])])
    alone = {r["series"]: r for r in per_series if r["architecture"] == "lstm" and not r["error"]}
    both = sorted(set(alone) & set(glob))
    if both:
        better = sum(1 for s in both if glob[s]["relativeMae"] < alone[s]["relativeMae"])
        print(f"\nglobal LSTM against the per-series LSTM on the same stock ({len(both)} stocks): lower holdout MAE "
              f"on {better}; median relative MAE {statistics.median(glob[s]['relativeMae'] for s in both):.4f} "
              f"(global) vs {statistics.median(alone[s]['relativeMae'] for s in both):.4f} (per series); "
              f"significantly better than naive: {sum(1 for s in both if glob[s]['beatsNaive'])} (global) vs "
              f"{sum(1 for s in both if alone[s]['beatsNaive'])} (per series)")
    print(f"global LSTM over all {len(glob)} stocks: median relative MAE "
          f"{statistics.median(r['relativeMae'] for r in glob.values()):.4f}, "
          f"{sum(1 for r in glob.values() if r['beatsNaive'])} significantly better than naive, "
          f"{sum(1 for r in glob.values() if r['beatsNaiveRaw'])} with lower MAE")


def read(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            for k in NUMBERS:
                r[k] = float(r[k]) if r.get(k) not in (None, "") else None
            for k in ("beatsNaive", "beatsNaiveRaw"):
                r[k] = r.get(k) == "True"
            rows.append(r)
    return rows


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        summary(read(sys.argv[2]), sys.argv[3].split())
    else:
        api, series_dir, epochs, global_epochs, archs, out_dir = sys.argv[1:7]
        only = set(sys.argv[7].split()) if len(sys.argv) > 7 and sys.argv[7].strip() else None
        extra = sys.argv[8] if len(sys.argv) > 8 else ""
        summary(run(api, series_dir, epochs, global_epochs, archs.split(), out_dir, only, extra), archs.split())
