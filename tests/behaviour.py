"""Record what the HTTP API answers on the demo store, to compare two versions of the code.

    python -m tests.behaviour > before.json     # on the old code
    python -m tests.behaviour > after.json      # on the new code
    diff before.json after.json

Not a test and not an oracle (the tests have independent golden results): a check that a
restructuring changed nothing it did not mean to. Covers every named query (JSON and CSV,
with parameters taken from the demo data), the recognition routes the benchmark calls, and
search. Volatile parts (load times in the metadata graph, timing headers) are left out.
"""

from __future__ import annotations

import json
import sys
import tempfile

from fastapi.testclient import TestClient

DEMO = "https://w3id.org/microhe/demo/"
PARAMS = {
    "credential-summary": {"credential": DEMO + "credential/strathlowe-applied-data-analysis"},
    "credentials-by-eqf-level": {"eqf": "6"},
    "credentials-of-institution": {"institution": DEMO + "org/strathlowe"},
    "credit-conversion-rules": {"from": "SCQF"},
    "decisions-about-issuer": {"issuer": DEMO + "org/strathlowe"},
    "framework-levels": {"framework": "SCQF"},
    "learning-outcomes-of-credential": {"credential": DEMO + "credential/strathlowe-applied-data-analysis"},
    "same-eqf-level": {"framework": "SCQF", "level": "11"},
    "search-credentials": {"eqf": "6"},
    "skills-narrower": {"skill": DEMO + "skill/data-analysis"},
    "stacks": {},
}
CALLS = [
    "/api/recognition/level?framework=SCQF&level=11",
    "/api/recognition/level?framework=EQF&level=6&to=FHEQ",
    "/api/recognition/credits?amount=15&system=SCQF",
    "/api/recognition/credits?amount=7.5&system=ECTS",
    "/api/credentials?eqf=6",
    "/api/credentials?text=data",
    "/api/credentials?country=GBR&limit=3",
    f"/api/recognition/pathways?target={DEMO}credential/vmu-data-analysis-for-decision-making&max=3",
    "/api/recognition/level?framework=NOPE&level=1",
    "/api/credentials?eqf=99",
]


def main() -> int:
    from microhe.api.app import create_app
    from microhe.settings import Settings

    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store=f"{tmp}/store", base="http://127.0.0.1:8000/", warm_indexes=False,
                            query_engine="threads")
        with TestClient(create_app(settings, demo=True)) as client:
            names = [q["name"] for q in client.get("/api/queries").json()]
            for name in names:
                params = PARAMS.get(name, {})
                r = client.get(f"/api/queries/{name}", params=params)
                out[f"query {name}"] = [r.status_code, r.json() if r.status_code == 200 else r.text]
                r = client.get(f"/api/queries/{name}", params={**params, "format": "csv"})
                out[f"query {name} csv"] = [r.status_code, r.text]
            for path in CALLS:
                r = client.get(path)
                out[path] = [r.status_code, r.json()]
            compare = {"credential": DEMO + "credential/strathlowe-applied-data-analysis",
                       "target": DEMO + "credential/vmu-data-analysis-for-decision-making"}
            r = client.post("/api/recognition/compare", json=compare)
            out["compare"] = [r.status_code, r.json()]
    json.dump(out, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
