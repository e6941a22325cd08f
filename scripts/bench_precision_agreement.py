#!/usr/bin/env python3
"""Agreement over HTTP (issue 22): POSTs every JPEG in DIR to each URL (classify with topK of every class) and
compares each later URL's answers with the first's: how often the top-1 class is the same, and the largest
difference of any class probability. Also each URL's accuracy against the label in the file name (NNNN-LABEL.jpg).

  /usr/bin/python3 scripts/bench_precision_agreement.py DIR REFERENCE_URL URL...
"""
import json
import os
import sys
import urllib.request


def classify(url, body):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "image/jpeg"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    return {p["label"]: p["probability"] for p in answer["predictions"]}


def main():
    folder, urls = sys.argv[1], sys.argv[2:]
    files = sorted(f for f in os.listdir(folder) if f.endswith(".jpg"))
    answers = [[] for _ in urls]
    labels = []
    for name in files:
        with open(os.path.join(folder, name), "rb") as f:
            body = f.read()
        labels.append(name[name.index("-") + 1:-len(".jpg")])
        for i, url in enumerate(urls):
            answers[i].append(classify(url, body))
    top = [[max(a, key=a.get) for a in answer] for answer in answers]
    for i, url in enumerate(urls):
        accuracy = sum(t == l for t, l in zip(top[i], labels)) / len(files)
        line = f"{url}: accuracy {accuracy:.3f}"
        if i > 0:
            same = sum(a == b for a, b in zip(top[0], top[i]))
            delta = max(abs(p[k] - q[k]) for p, q in zip(answers[0], answers[i]) for k in p)
            line += f", top-1 agreement with the first {same}/{len(files)} = {same / len(files):.4f}, max |dp| {delta:.4g}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
