"""HTTP helpers shared by the forecasting benchmark drivers (bench_forecast_transfer.py, bench_forecast_series.py).

    api = Api("localhost:18093/api/v1")
    dataset = api.dataset("dow30", "/path/to/file.csv")       # uploaded once, found by name after that
    job = api.submit({...})                                    # a job already on the server for that model is reused
    version, seconds = api.wait(job)                           # the trained version and the job's own run time

A model that already has a job on the server (queued, running or finished) is waited for, not trained again, so a
driver stopped halfway can be started again against the same server.
"""
import datetime, json, subprocess, sys, time, urllib.error, urllib.request


class Api:
    def __init__(self, api):
        self.api = api

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://{self.api}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            sys.exit(f"{method} {path} -> {e.code} {e.read().decode()}")

    def dataset(self, name, path):
        """The id of the series dataset called name, uploading path under that name if there is none yet."""
        known = [d for d in self.call("GET", "/datasets") if d.get("name") == name]
        if known:
            return known[0]["id"]
        out = subprocess.run(["curl", "-sf", "-F", f"name={name}", "-F", "kind=series", "-F", f"file=@{path}",
                              f"http://{self.api}/datasets"], capture_output=True, check=True, text=True).stdout
        return json.loads(out)["id"]

    def submit(self, body):
        """The job training body["model"]: the one already on the server if any (not failed), else a new one."""
        earlier = [j for j in self.call("GET", "/training-jobs") if j["model"] == body["model"]
                   and j["status"] in ("QUEUED", "RUNNING", "SUCCEEDED")]
        return earlier[0] if earlier else self.call("POST", "/training-jobs", body)

    def wait(self, job, fail=True):
        """(version 1 of the job's model, seconds the job ran) once it SUCCEEDED; (None, error) if not and fail is
        False."""
        while job["status"] not in ("SUCCEEDED", "FAILED", "CANCELLED"):
            time.sleep(2)
            job = self.call("GET", f"/training-jobs/{job['id']}")
        if job["status"] != "SUCCEEDED":
            if fail:
                sys.exit(f"{job['model']}: {job['status']} {job.get('error')}")
            return None, f"{job['status']} {job.get('error')}"
        return self.call("GET", f"/models/{job['model']}/versions/1"), seconds(job)

    def train(self, body):
        """Submit (or find) and wait: (version, seconds)."""
        return self.wait(self.submit(body))


def seconds(job):
    """How long the job ran, from its startedAt and finishedAt (ISO-8601 instants)."""
    def instant(text):
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    try:
        return (instant(job["finishedAt"]) - instant(job["startedAt"])).total_seconds()
    except (KeyError, TypeError, ValueError):
        return float("nan")
