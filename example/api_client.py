"""A client of winiadmin's import API with nothing but the standard library (docs/api.md).

Uploads a file, waits for its check, prints its problems, and confirms the import:

    python example/api_client.py --url http://127.0.0.1:8000/api/imports \\
        --token wia_… --importer shop.catalogue example/samples/catalogue.csv

Exit status: 0 imported; 1 the file has problems (listed) or the import failed; 2 the columns
need a mapping (see the job's ``mapping/``). The last line printed is the job as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.5


class Api:
    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: bytes | None = None, kind: str = "") -> Any:
        if not self.url.startswith(("http://", "https://")):
            raise SystemExit(f"Not an HTTP URL: {self.url}")
        request = urllib.request.Request(self.url + path, data=body, method=method)  # noqa: S310 - checked above
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if kind:
            request.add_header("Content-Type", kind)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the API's URL
                return json.load(response)
        except urllib.error.HTTPError as exc:  # every API error is JSON with a stable code
            error = json.load(exc)["error"]
            raise SystemExit(
                f"{method} {path}: {exc.code} {error['code']}: {error['message']}"
            ) from None

    def post_json(self, path: str, data: dict[str, Any]) -> Any:
        return self.call("POST", path, json.dumps(data).encode(), "application/json")

    def upload(self, importer: str, file: Path, fields: dict[str, str]) -> Any:
        boundary = uuid.uuid4().hex
        head = f"--{boundary}\r\nContent-Disposition: form-data; name="
        parts = [
            f'{head}"{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in {"importer": importer, **fields}.items()
        ]
        parts.append(
            f'{head}"file"; filename="{file.name}"\r\n'.encode()
            + b"Content-Type: application/octet-stream\r\n\r\n"
            + file.read_bytes()
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.call("POST", "/jobs/", body, f"multipart/form-data; boundary={boundary}")

    def wait(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Poll the job until it is no longer queued or running."""
        deadline = time.monotonic() + timeout
        while job["active"]:
            if time.monotonic() > deadline:
                raise SystemExit(f"Still {job['status']} after {timeout} seconds.")
            progress = job["progress"]
            print(f"{job['status']}: {progress['stage']} {progress['rows_done']} rows")
            time.sleep(POLL_SECONDS)
            job = self.call("GET", f"/jobs/{job['id']}/")
        return job

    def problems(self, job_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page, pages = 1, 1
        while page <= pages:
            answer = self.call("GET", f"/jobs/{job_id}/problems/?page={page}")
            found += answer["problems"]
            pages = answer["pages"]
            page += 1
        return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", required=True, help="where the API is mounted")
    parser.add_argument("--token", required=True)
    parser.add_argument("--importer", required=True)
    parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    api = Api(args.url, args.token)

    job = api.wait(api.upload(args.importer, args.file, {}), args.timeout)
    if job["needs_mapping"]:
        print(f"The columns need a mapping: {api.url}/jobs/{job['id']}/mapping/")
        print(json.dumps(job))
        return 2
    for problem in api.problems(job["id"]):
        where = f"row {problem['row']}" if problem["row"] is not None else "file"
        print(f"{problem['severity']}: {where}, {problem['column'] or '-'}: {problem['message']}")
    can_run = job["can_confirm"] or (args.skip_invalid and job["can_confirm_skipping_invalid"])
    if not can_run:
        print(f"Not imported: {job['status']}. {job['error']}".rstrip())
        print(json.dumps(job))
        return 1
    job = api.post_json(f"/jobs/{job['id']}/confirm/", {"skip_invalid": args.skip_invalid})
    job = api.wait(job, args.timeout)
    rows = job["report"]["rows"]
    print(
        f"{job['status']}: {rows['imported']} imported, {rows['updated']} updated, "
        f"{rows['skipped']} skipped"
    )
    print(json.dumps(job))
    return 0 if job["status"] == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
