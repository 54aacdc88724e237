#!/usr/bin/env python3
"""Peer client for the organisation benchmark: what an operator would
write instead of `atlas-x509 expiring --all-projects`. Python `requests`,
HTTP Digest, a pool of 20 threads. `--mode project` (the script most
would write): each thread takes a project and reads its X.509 mode, its
users and its MANAGED users' certificates, one after another. `--mode
flat`: every project's mode and users first, then every user's
certificates, all through the pool. Prints, as JSON, each MANAGED user's
newest certificate that expires within the window (or the user with
none), customer-CA projects left out: [project, user, serial|null]."""
import argparse
import concurrent.futures
import datetime
import json
import math
import sys
import threading

import requests
from requests.auth import HTTPDigestAuth

MEDIA = "application/vnd.atlas.2023-01-01+json"
PER_PAGE = 500
local = threading.local()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("public_key")
    ap.add_argument("private_key")
    ap.add_argument("--within-days", type=float, required=True)
    ap.add_argument("--threads", type=int, default=20)
    ap.add_argument("--mode", choices=["project", "flat"], default="project")
    a = ap.parse_args()
    horizon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=a.within_days)

    def get(path, n=1):
        # One session per thread: requests' Digest state is not thread-safe.
        if not hasattr(local, "s"):
            local.s = requests.Session()
            local.s.auth = HTTPDigestAuth(a.public_key, a.private_key)
            local.s.headers["Accept"] = MEDIA
        r = local.s.get(a.base + "/api/atlas/v2" + path,
                        params={"pageNum": n, "itemsPerPage": PER_PAGE}, timeout=60)
        r.raise_for_status()
        return r.json()

    def every(path):
        first = get(path)
        out = list(first["results"])
        for n in range(2, math.ceil(first.get("totalCount", 0) / PER_PAGE) + 1):
            out.extend(get(path, n)["results"])
        return out

    def project(p):
        sec = get(f"/groups/{p['id']}/userSecurity")
        if (sec.get("customerX509") or {}).get("cas"):
            return []
        users = every(f"/groups/{p['id']}/databaseUsers")
        return [(p["id"], u["username"]) for u in users if u.get("x509Type") == "MANAGED"]

    def certs(pu):
        user = requests.utils.quote(pu[1], safe="")
        return pu, every(f"/groups/{pu[0]}/databaseUsers/{user}/certs")

    def due(pu, cs):
        if not cs:
            return [pu[0], pu[1], None]
        c = max(cs, key=lambda c: (c["createdAt"], c["notAfter"], c["_id"]))
        if datetime.datetime.fromisoformat(c["notAfter"].replace("Z", "+00:00")) <= horizon:
            return [pu[0], pu[1], c["_id"]]
        return None

    def whole(p):
        return [due(*certs(pu)) for pu in project(p)]

    with concurrent.futures.ThreadPoolExecutor(a.threads) as pool:
        if a.mode == "project":
            out = [r for rs in pool.map(whole, every("/groups")) for r in rs]
        else:
            users = [u for us in pool.map(project, every("/groups")) for u in us]
            out = [due(pu, cs) for pu, cs in pool.map(certs, users)]
    out = [r for r in out if r is not None]
    json.dump(sorted(out, key=lambda r: (r[0], r[1])), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
