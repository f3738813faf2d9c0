"""A Coin Metrics API v4-like server: ``/v4/timeseries/asset-metrics`` with paging.

Serves the daily rows of ``../shared/data/btc_daily_network_2009-01-03_2026-05-23.csv``
(Coin Metrics column names; ``HashRate`` from ``HashRate_THs``) as decimal strings, in
the documented shape ``{"data": [{"asset": "btc", "time": "...T00:00:00.000000000Z",
<metric>: "<value>"}], "next_page_token": ..., "next_page_url": ...}``. A metric with no
value that day is omitted from the row; an unknown metric answers 400 with an
``{"error": {"type": "bad_parameter", ...}}`` body.
"""

from __future__ import annotations

import base64
import csv
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .base import Handler, serve

DAILY_CSV = "btc_daily_network_2009-01-03_2026-05-23.csv"
COLUMNS = {
    "BlkCnt": "BlkCnt",
    "DiffMean": "DiffMean",
    "HashRate": "HashRate_THs",
    "IssTotNtv": "IssTotNtv",
    "FeeTotNtv": "FeeTotNtv",
    "PriceUSD": "PriceUSD",
}


def load_days(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / DAILY_CSV).open(newline="") as f:
        return list(csv.DictReader(f))


class CMHandler(Handler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.common_faults():
            return
        parts = urlsplit(self.path)
        if parts.path != self.server.prefix + "/timeseries/asset-metrics":  # type: ignore[attr-defined]
            self.send_json(404, {"error": {"type": "not_found", "message": "Not found"}})
            return
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        metrics = q.get("metrics", "").split(",")
        bad = [m for m in metrics if m not in COLUMNS]
        if q.get("assets") != "btc" or bad:
            self.send_json(
                400,
                {"error": {"type": "bad_parameter", "message": f"Bad parameter 'metrics': {bad}"}},
            )
            return
        days: list[dict[str, str]] = self.server.days  # type: ignore[attr-defined]
        start = q.get("start_time", "0000")[:10]
        end = q.get("end_time", "9999")[:10]
        size = int(q.get("page_size", "100"))
        token = q.get("next_page_token")
        rows = [d for d in days if start <= d["date"] <= end]
        offset = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        page = rows[offset : offset + size]
        data = []
        for d in page:
            item = {"asset": "btc", "time": f"{d['date']}T00:00:00.000000000Z"}
            for m in metrics:
                if d[COLUMNS[m]] != "":
                    item[m] = d[COLUMNS[m]]
            data.append(item)
        body: dict[str, Any] = {"data": data}
        if offset + size < len(rows):
            at = size if self.server.faults.repeat_page_token else offset + size
            nxt = base64.urlsafe_b64encode(str(at).encode()).decode()
            body["next_page_token"] = nxt
            host = self.headers.get("Host", "127.0.0.1")
            body["next_page_url"] = f"http://{host}{parts.path}?" + urlencode(
                {**q, "next_page_token": nxt}
            )
        self.send_json(200, body)


def cm_server(days: list[dict[str, str]], *, prefix: str = "/v4") -> Any:
    """Context manager: a running Coin Metrics-like server; the API root is URL + ``prefix``."""
    return serve(CMHandler, days=days, prefix=prefix)
