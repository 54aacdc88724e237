#!/usr/bin/env python3
"""Peer client for the benchmark: lists every item of one Atlas list with
Python `requests` and HTTP Digest, as a script someone would write instead
of using atlas-x509. One page at a time (--threads 1), or page one and then
the rest through a thread pool (--threads 4). Prints the items as JSON."""
import argparse
import concurrent.futures
import json
import math
import sys

import requests
from requests.auth import HTTPDigestAuth

MEDIA = "application/vnd.atlas.2023-01-01+json"
PER_PAGE = 500


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("public_key")
    ap.add_argument("private_key")
    ap.add_argument("path", help="e.g. /api/atlas/v2/groups")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()

    session = requests.Session()
    session.auth = HTTPDigestAuth(a.public_key, a.private_key)
    session.headers["Accept"] = MEDIA

    def page(n):
        r = session.get(
            a.base + a.path,
            params={"pageNum": n, "itemsPerPage": PER_PAGE, "includeCount": "true"},
            timeout=60,
        )
        r.raise_for_status()
        return r.json()

    first = page(1)
    results = list(first["results"])
    pages = math.ceil(first.get("totalCount", 0) / PER_PAGE)
    rest = range(2, pages + 1)
    if a.threads <= 1:
        for n in rest:
            results.extend(page(n)["results"])
    else:
        with concurrent.futures.ThreadPoolExecutor(a.threads) as pool:
            for p in pool.map(page, rest):
                results.extend(p["results"])
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
