"""Driver of scripts/bench-forecast-transfer.sh: the training jobs and the report, through the HTTP API.

    python3 scripts/bench_forecast_transfer.py HOST:PORT/api/v1 SERIES_CSV GLOBAL_EPOCHS SINGLE_EPOCHS "STOCKS" HP LOO

A model that already has a job on the server (running or finished) is waited for, not trained again, so a driver
stopped halfway can be started again against the same server (scripts/forecast_api.py). "train s" is the job's own
run time, from its startedAt to its finishedAt.
"""
import json, sys, time
from forecast_api import Api
api, series, global_epochs, single_epochs, stocks, hp, loo_stocks = sys.argv[1:]
stocks = stocks.split()
server = Api(api)
call, train = server.call, server.train

def hyper(epochs, extra=""):
    return json.loads("{" + hp + f',"epochs":{epochs}' + extra + "}")

dataset = server.dataset("dow30", series)
print(f"## {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}: Dow 30 daily closes, hyperparameters {{{hp}}}")

glob, seconds = train({"model": "dow-global", "task": "forecasting", "architecture": "lstm", "dataset": dataset,
                       "targets": "*", "hyperparameters": hyper(global_epochs)})
m = glob["metrics"]
p = m["pooled"]
print(f"global LSTM on {p['series']} stocks: {seconds:.0f} s, best epoch {m['bestEpoch']} of {global_epochs}, "
      f"split {m['split']}")
print(f"  pooled: mean MASE model {p['modelMase']:.4f} vs naive {p['naiveMase']:.4f}, relative MAE "
      f"{p['relativeMae']:.4f}, {p['seriesBeatingNaive']} of {p['series']} stocks below naive MAE")

def scores(metrics):
    b = metrics["backtest"]
    return b["model"]["mase"], b["naive"]["mase"], b["model"]["mae"] / b["naive"]["mae"]

def unseen(version, stock):
    """A global model's holdout MASE on a stock it never saw, each window scaled on its own, via /forecast."""
    split = version["metrics"]["split"]
    closes = [float(line.split(",")[header.index(stock)]) for line in lines[1:]]
    window = version["forecast"]["window"]
    start = split["rows"] - split["holdoutRows"]
    errors, naive = [], []
    for end in range(start, len(closes)):
        history = closes[end - window - 1:end]
        f = call("POST", f"/models/{version['name']}/forecast", {"series": history})["forecast"][0]
        errors.append(abs(closes[end] - f))
        naive.append(abs(closes[end] - closes[end - 1]))
    train_rows = split["trainRows"]
    scale = sum(abs(closes[t] - closes[t - 1]) for t in range(1, train_rows)) / (train_rows - 1)
    mae, naive_mae = sum(errors) / len(errors), sum(naive) / len(naive)
    return mae / scale, naive_mae / scale, mae / naive_mae

lines = open(series).read().splitlines()
header = [h.strip('"') for h in lines[0].split(",")]
rows = []
for stock in stocks:
    base = {"task": "forecasting", "dataset": dataset, "target": stock}
    results = {"global (no transfer)": (scores(m["series"][stock]), 0, None)}
    v, s = train({**base, "model": f"{stock.lower()}-alone", "architecture": "lstm",
                  "hyperparameters": hyper(single_epochs)})
    results["alone (from scratch)"] = (scores(v["metrics"]), s, v["metrics"]["bestEpoch"])
    bases = [("global", "dow-global")]
    if stocks.index(stock) < int(loo_stocks):
        # the same global LSTM without this stock: transfer to a series the base has never seen
        others = [c for c in m["series"] if c != stock]
        loo, s = train({"model": f"dow-global-no-{stock.lower()}", "task": "forecasting", "architecture": "lstm",
                        "dataset": dataset, "targets": others, "hyperparameters": hyper(global_epochs)})
        results[f"global without {stock} (no transfer, window-scaled)"] = (unseen(loo, stock), s,
                                                                           loo["metrics"]["bestEpoch"])
        bases.append((f"global without {stock}", f"dow-global-no-{stock.lower()}"))
    for prefix, global_model in bases:
        for mode in ("feature-extraction", "fine-tune"):
            v, s = train({**base, "model": f"{stock.lower()}-{mode}-from-{global_model}", "baseModel": global_model,
                          "transfer": {"mode": mode, "baseLearningRateFactor": 0.1},
                          "hyperparameters": {"epochs": int(single_epochs), "horizon": 1, "learningRate": 0.003,
                                              "batchSize": 128, "season": 5, "earlyStoppingPatience": 3}})
            results[f"{prefix}, {mode}"] = (scores(v["metrics"]), s, v["metrics"]["bestEpoch"])
    for name, ((model, naive, rel), s, epoch) in results.items():
        rows.append((stock, name, model, naive, rel, s, epoch))

print()
print("| stock | model | holdout MASE | naive MASE | MAE / naive MAE | train s | best epoch |")
print("|---|---|---|---|---|---|---|")
for stock, name, model, naive, rel, s, epoch in rows:
    print(f"| {stock} | {name} | {model:.4f} | {naive:.4f} | {rel:.4f} | {s:.0f} | {epoch if epoch else '-'} |")
