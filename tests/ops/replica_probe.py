"""Run by test_replica_router.py in a process of its own (DATABASE_REPLICA_URL is read
at start-up): counts the queries each request sends to each database alias."""

import json
import sys

import django

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

counts = {"default": 0, "replica": 0}


def counter(alias):
    def wrapper(execute, sql, params, many, context):
        counts[alias] += 1
        return execute(sql, params, many, context)

    return wrapper


client = Client()
results = {}
for method, path in [
    ("get", "/claims/"),
    ("get", "/methodology/"),
    ("get", "/api/v1/claims/"),
    ("get", "/admin/login/"),
    ("post", "/admin/login/"),
    ("get", "/healthz"),
]:
    counts.update(default=0, replica=0)
    data = {"username": "nobody", "password": "x"} if method == "post" else {}
    with (
        connections["default"].execute_wrapper(counter("default")),
        connections["replica"].execute_wrapper(counter("replica")),
    ):
        response = getattr(client, method)(path, data)
    results[f"{method.upper()} {path}"] = {"status": response.status_code, **counts}
    if path == "/healthz":  # its checks run on threads of their own: what they found
        results["GET /healthz"]["checks"] = {name: c["status"] for name, c in response.json()["checks"].items()}
json.dump(results, sys.stdout)
