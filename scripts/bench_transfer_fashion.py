#!/usr/bin/env python3
"""The HTTP half of scripts/bench-transfer-fashion.sh: everything goes through deepserve's API as a user's would.

  bench_transfer_fashion.py pretrain API DATA_DIR STATE       upload the zips, pretrain resnet18 on pretrain.zip
  bench_transfer_fashion.py import API DATA_DIR STATE         upload the transfer zip, import BASE_WEIGHTS as the base
  bench_transfer_fashion.py transfer API DATA_DIR STATE       METHODS (scratch, feature extraction, last stage,
                                                               cutAt, full fine-tune), each at every TRANSFER_LRS,
                                                               on transfer.zip or on every SEEDS' transfer-S.zip
  bench_transfer_fashion.py uncached API DATA_DIR STATE       feature extraction again (server started without cache)
  bench_transfer_fashion.py feature-extraction API DATA_DIR STATE   one more, e.g. with another TRANSFER_LR

Each run's held-out accuracy comes from classifying every image under DATA_DIR/test over HTTP. STATE is a JSON file
carrying dataset ids and results between the steps. Knobs come from the environment (see the shell script).
"""
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid

from fashion_to_zips import CLASSES, classes
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

ENV = {k: os.environ.get(k, d) for k, d in {
    "PRETRAIN_EPOCHS": "10", "TRANSFER_EPOCHS": "15", "IMAGE_SIZE": "32", "BATCH": "32", "SEED": "42",
    "PRETRAIN_LR": "0.001", "TRANSFER_LR": "0.001", "TRANSFER_LRS": "0.001 0.01", "SEEDS": "",
    "METHODS": "scratch fe ft cut full", "BASE_WEIGHTS": "", "PRETRAIN_CLASSES": "0-4",
    "SCHEDULE": ""}.items()}
METHODS = {"scratch": ("from scratch", None),
           "fe": ("feature extraction", {"mode": "feature-extraction"}),
           "ft": ("fine-tune last stage", {"mode": "fine-tune", "trainableStages": 1}),
           "cut": ("cutAt layer3 (frozen)", {"mode": "feature-extraction", "cutAt": "layer3"}),
           "full": ("full fine-tune", {"mode": "fine-tune"})}


def call(api, method, path, body=None, content_type="application/json"):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(api + path, data=data, method=method,
                                     headers={"Content-Type": content_type} if data is not None else {})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def upload(api, name, path):
    boundary = uuid.uuid4().hex
    parts = []
    for field, value in (("name", name), ("kind", "images")):
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n".encode())
    with open(path, "rb") as f:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}.zip\"\r\n"
                     f"Content-Type: application/zip\r\n\r\n".encode() + f.read() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    status, body = call(api, "POST", "/datasets", b"".join(parts), f"multipart/form-data; boundary={boundary}")
    if status != 201:
        sys.exit(f"upload {name}: {status} {body}")
    return body["id"]


def seconds(job):
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (parse(job["finishedAt"]) - parse(job["startedAt"])).total_seconds()


def train(api, body):
    """Submits a job; a 400 comes back as (None, problem). Otherwise waits and returns (job, None)."""
    status, job = call(api, "POST", "/training-jobs", body)
    if status == 400:
        return None, job
    if status != 202:
        sys.exit(f"submit {body['model']}: {status} {job}")
    while job["status"] not in ("SUCCEEDED", "FAILED", "CANCELLED"):
        time.sleep(2)
        _, job = call(api, "GET", f"/training-jobs/{job['id']}")
    if job["status"] != "SUCCEEDED":
        sys.exit(f"{body['model']}: {job['status']} {job.get('error')}")
    return job, None


def held_out_accuracy(api, ref, test_dir):
    """Every image under test_dir/<label>/ classified over HTTP, four requests in flight (the server batches them)."""
    images = [(label, os.path.join(test_dir, label, name)) for label in sorted(os.listdir(test_dir))
              for name in sorted(os.listdir(os.path.join(test_dir, label)))]

    def classify(item):
        with open(item[1], "rb") as f:
            status, answer = call(api, "POST", f"/models/{ref}/classify?topK=1", f.read(), "image/png")
        if status != 200:
            raise RuntimeError(f"classify {ref}: {status} {answer}")
        return answer["predictions"][0]["label"] == item[0]

    with ThreadPoolExecutor(4) as pool:
        right = sum(pool.map(classify, images))
    return right / len(images), len(images)


def hyperparameters(epochs, lr):
    return {"epochs": int(epochs), "batchSize": int(ENV["BATCH"]), "learningRate": float(lr),
            "imageSize": int(ENV["IMAGE_SIZE"]), "augment": False, "validationSplit": 0.2,
            "earlyStoppingPatience": 0, "seed": int(ENV["SEED"]),
            **({"schedule": ENV["SCHEDULE"]} if ENV["SCHEDULE"] else {})}


def record(state, api, data, key, job, note=""):
    accuracy, n = held_out_accuracy(api, job["resultModel"], os.path.join(data, "test"))
    _, version = call(api, "GET", "/models/{}/versions/{}".format(*job["resultModel"].split(":")))
    best_val = version["metrics"].get("bestValidationAccuracy")
    state["runs"][key] = {"model": job["resultModel"], "seconds": round(seconds(job), 1), "heldOut": accuracy,
                          "heldOutImages": n, "bestValidationAccuracy": best_val, "note": note}
    print(f"{key:<28} held-out {accuracy:.4f} on {n} images   best val {best_val:.4f}   "
          f"job {seconds(job):.1f} s  {note}", flush=True)


def transfer_run(api, state, data, key, model, transfer, lr=None, dataset=None):
    body = {"model": model, "dataset": dataset or state["transfer"], "baseModel": state["base"], "transfer": transfer,
            "hyperparameters": hyperparameters(ENV["TRANSFER_EPOCHS"], lr or ENV["TRANSFER_LR"]), "device": "auto"}
    job, refused = train(api, body)
    if job is None:
        state["runs"][key] = {"refused": refused}
        print(f"{key:<28} refused by this build: {refused.get('code')}: {refused.get('detail')}", flush=True)
        return
    record(state, api, data, key, job)


def transfer_all(api, state, data):
    """Every method at every learning rate on each seed's transfer set (or on transfer.zip when SEEDS is empty); per
    seed and method, the run with the best validation accuracy is the one reported (held-out images choose nothing)."""
    seeds = ENV["SEEDS"].split() or [None]
    chosen = {m: [] for m in ENV["METHODS"].split()}
    for seed in seeds:
        dataset = state.get("transfer")
        prefix = ""
        if seed is not None:
            dataset = upload(api, f"fashion-transfer-{seed}", os.path.join(data, f"transfer-{seed}.zip"))
            prefix = f"seed {seed}: "
        for method in chosen:
            label, transfer = METHODS[method]
            for lr in ENV["TRANSFER_LRS"].split():
                key = f"{prefix}{label}, lr {lr}"
                if transfer is None:
                    job, _ = train(api, {"model": f"fashion-{method}", "architecture": "resnet18", "dataset": dataset,
                                         "hyperparameters": hyperparameters(ENV["TRANSFER_EPOCHS"], lr),
                                         "device": "auto"})
                    record(state, api, data, key, job)
                else:
                    transfer_run(api, state, data, key, f"fashion-{method}", transfer, lr, dataset)
            runs = [r for k, r in state["runs"].items() if k.startswith(f"{prefix}{label}, lr ") and "heldOut" in r]
            if runs:
                chosen[method].append(max(runs, key=lambda r: r["bestValidationAccuracy"])["heldOut"])
    print("chosen by validation accuracy, held-out accuracy per seed, mean and sample sd:", flush=True)
    for method, scores in chosen.items():
        if scores:
            sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
            print(f"  {METHODS[method][0]:<24} {' '.join(f'{v:.4f}' for v in scores)}   mean {statistics.mean(scores):.4f}"
                  f" sd {sd:.4f}", flush=True)
    state["chosen"] = chosen


def main():
    step, api, data, state_file = sys.argv[1:5]
    api = api.rstrip("/") + "/api/v1"
    state = json.load(open(state_file)) if os.path.exists(state_file) else {"runs": {}}
    if step == "pretrain":
        state["pretrainDataset"] = upload(api, "fashion-pretrain", os.path.join(data, "pretrain.zip"))
        if os.path.exists(os.path.join(data, "transfer.zip")):
            state["transfer"] = upload(api, "fashion-transfer", os.path.join(data, "transfer.zip"))
        job, refused = train(api, {"model": "fashion-base", "architecture": "resnet18",
                                   "dataset": state["pretrainDataset"],
                                   "hyperparameters": hyperparameters(ENV["PRETRAIN_EPOCHS"], ENV["PRETRAIN_LR"]),
                                   "device": "auto"})
        if job is None:
            sys.exit(f"pretraining refused: {refused}")
        state["base"] = job["resultModel"]
        _, version = call(api, "GET", "/models/{}/versions/{}".format(*job["resultModel"].split(":")))
        state["pretrain"] = {"model": job["resultModel"], "seconds": round(seconds(job), 1),
                             "bestValidationAccuracy": version["metrics"]["bestValidationAccuracy"]}
        print(f"pretrained {state['base']} in {seconds(job):.1f} s, best validation accuracy "
              f"{state['pretrain']['bestValidationAccuracy']:.4f}", flush=True)
    elif step == "import":
        # the base comes from PyTorch (scripts/transfer_peer_torch.py --save-base, then scripts/export_pretrained.py):
        # the README's "Bring a pretrained network" path, imported with the classes it was trained on
        if os.path.exists(os.path.join(data, "transfer.zip")):
            state["transfer"] = upload(api, "fashion-transfer", os.path.join(data, "transfer.zip"))
        labels = [CLASSES[i] for i in classes(ENV["PRETRAIN_CLASSES"])]  # the base's output rows, in its order
        metadata = {"task": "image-classification", "architecture": "resnet18", "labels": labels,
                    "preprocessing": {"imageSize": int(ENV["IMAGE_SIZE"]), "mean": [0.485, 0.456, 0.406],
                                      "std": [0.229, 0.224, 0.225]}}
        boundary = uuid.uuid4().hex
        with open(ENV["BASE_WEIGHTS"], "rb") as f:
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                    f"Content-Type: application/json\r\n\r\n{json.dumps(metadata)}\r\n--{boundary}\r\n"
                    f"Content-Disposition: form-data; name=\"artifact\"; filename=\"base.safetensors\"\r\n"
                    f"Content-Type: application/octet-stream\r\n\r\n").encode() + f.read() + f"\r\n--{boundary}--\r\n".encode()
        status, version = call(api, "POST", "/models/fashion-base/versions", body,
                               f"multipart/form-data; boundary={boundary}")
        if status != 201:
            sys.exit(f"import: {status} {version}")
        state["base"] = f"fashion-base:{version['version']}"
        print(f"imported {state['base']} ({labels}) from {ENV['BASE_WEIGHTS']}", flush=True)
    elif step == "transfer":
        transfer_all(api, state, data)
    elif step == "feature-extraction":
        # one more feature-extraction run with this environment's TRANSFER_EPOCHS and TRANSFER_LR
        key = f"feature extraction, {ENV['TRANSFER_EPOCHS']} epochs, lr {ENV['TRANSFER_LR']}"
        transfer_run(api, state, data, key, "fashion-fe-tuned", {"mode": "feature-extraction"})
    elif step == "uncached":
        transfer_run(api, state, data, "feature extraction (no cache)", "fashion-fe-nocache",
                     {"mode": "feature-extraction"})
    else:
        sys.exit(f"unknown step {step}")
    json.dump(state, open(state_file, "w"), indent=1)


if __name__ == "__main__":
    main()
