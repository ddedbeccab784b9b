"""The guides' examples run: the researcher's shell and pandas code against a fresh demo export,
the API guide's curl calls in order against a real server, the operator's backup and restore."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backcast import __version__
from backcast.export.schema import TABLES
from backcast.paths import ROOT
from tests import server as servers

DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent  # where `backcast` is installed beside this Python
PASSWORD = "a password for the guides"


@dataclass
class Block:
    lang: str
    code: str


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, in order, indented ones (in list items) included."""
    found = re.findall(r"^( *)```(\w*)\n(.*?)^\1```[ \t]*$", path.read_text(), flags=re.M | re.S)
    return [
        Block(lang, "".join(line.removeprefix(indent) for line in code.splitlines(keepends=True)))
        for indent, lang, code in found
    ]


def backcast(data_dir: Path, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "backcast.cli", *args],
        input=stdin,
        env={"PATH": os.environ["PATH"], "BACKCAST_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": f"{BIN}:{os.environ['PATH']}", "HOME": str(cwd), **env}
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


# --- docs/researcher.md ------------------------------------------------------------------------


def test_the_researchers_pandas_example_recomputes_the_demo_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, work = tmp_path / "data", tmp_path / "work"
    work.mkdir()
    backcast(data, "db", "upgrade")
    found = re.match(r"demo workshop ([A-Z0-9]{6}) ", backcast(data, "demo"))
    assert found
    code = found.group(1)

    blocks = fenced_blocks(DOCS / "researcher.md")
    shell = [block.code for block in blocks if block.lang == "sh"]
    assert any("--format datapackage --out workshop.zip" in script for script in shell)
    for script in shell:
        result = bash(script, work, CODE=code, BACKCAST_DATA_DIR=str(data))
        assert result.returncode == 0, (script, result.stdout, result.stderr)

    python = [block.code for block in blocks if block.lang == "python"]
    assert len(python) >= 4
    monkeypatch.chdir(work)
    namespace: dict[str, Any] = {"__name__": "researcher_md"}
    for number, code_ in enumerate(python):
        exec(compile(code_, f"docs/researcher.md, python block {number + 1}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert printed.startswith(f"Kreislaufwirtschaft im Nordwesten 2045 {__version__}\n")

    # What the API's /results says (the JSON export carries exactly that document).
    results = json.loads(backcast(data, "export", code, "--format", "json", "--out", "-"))["results"]
    by_id = {item["item_id"]: item for item in results["items"]}

    ranking = namespace["ranking"]
    assert list(ranking.index) == [item["item_id"] for item in results["items"]]
    assert list(ranking["rank"]) == [item["rank"] for item in results["items"]] == list(range(1, 16))
    assert list(ranking["dots"]) == [item["dots"] for item in results["items"]]
    assert list(ranking["raters"]) == [item["raters"] for item in results["items"]]
    for item_id, score in ranking["score"].items():
        assert math.isclose(score, by_id[item_id]["score"], rel_tol=0, abs_tol=1e-12)

    means, consensus = namespace["means"], namespace["consensus"]
    keys = [criterion["key"] for criterion in results["criteria"]]
    assert list(means.columns) == keys == ["resource_effect", "sme_feasibility", "cost", "time_to_effect"]
    for item_id, item in by_id.items():
        for key in keys:
            figures = item["criteria"][key]
            assert math.isclose(means.loc[item_id, key], figures["mean"], abs_tol=1e-12)
            assert bool(consensus.loc[(item_id, key)]) is figures["consensus"], (item_id, key)
    assert 0 < int(consensus.sum()) < consensus.size  # the demo has agreement and dispute

    assert list(namespace["sheets"]) == ["README", *TABLES]
    assert namespace["top"]["item_id"] == ranking.index[0]

    side_by_side = namespace["side_by_side"]
    assert list(side_by_side.columns[:1]) == ["everyone"]
    assert side_by_side.loc[ranking.index[0], "sme"] == by_id[ranking.index[0]]["groups"]["sme"]["rank"]


# --- docs/api.md -------------------------------------------------------------------------------


CURL_LOG = """\
curl() {
  local n
  n=$(( $(cat "$CALLS/n" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$CALLS/n"
  command curl -D "$CALLS/$n.headers" "$@"
}
"""

# Values that differ from run to run (the code is random, so is everything that contains it).
VARIABLE = {"code", "join_url", "token", "created_at", "added_at", "instance", "workshop", "at"}


def shaped_like(documented: Any, actual: Any, key: str = "") -> list[str]:
    """Where the documented JSON differs from the actual one: every documented key must be there with
    the same value (only its type, for values that change from run to run). Lists: the first
    element."""
    if isinstance(documented, dict):
        if not isinstance(actual, dict):
            return [f"{key}: {actual!r} is not an object"]
        problems = [f"{key}.{name}: missing" for name in documented if name not in actual]
        for name, value in documented.items():
            if name in actual:
                problems += shaped_like(value, actual[name], name)
        return problems
    if isinstance(documented, list):
        if not isinstance(actual, list) or len(actual) < len(documented[:1]):
            return [f"{key}: {actual!r} does not start like {documented!r}"]
        return shaped_like(documented[0], actual[0], key) if documented else []
    if key in VARIABLE and isinstance(documented, str):
        return [] if isinstance(actual, str) else [f"{key}: {actual!r} is not a string"]
    return [] if documented == actual else [f"{key}: documented {documented!r}, got {actual!r}"]


@dataclass
class Call:
    statuses: list[int]
    out: str
    result: subprocess.CompletedProcess[str]

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[servers.Server]:
    data = tmp_path / "data"
    running = servers.start(data)
    try:
        backcast(data, "facilitator", "add", "you@example.org", "--password-stdin", stdin=PASSWORD + "\n")
        backcast(data, "facilitator", "add", "bo@example.org", "--password-stdin", stdin=PASSWORD + "\n")
        yield running
    finally:
        running.stop()


def test_the_api_guides_curl_examples_answer_as_documented(
    api_server: servers.Server, tmp_path: Path
) -> None:
    assert shutil.which("curl"), "curl is needed to run the API guide's examples"
    blocks = fenced_blocks(DOCS / "api.md")
    data, work, calls = tmp_path / "data", tmp_path / "work", tmp_path / "calls"
    work.mkdir()
    calls.mkdir()
    env = {"BASE": api_server.base_url, "BACKCAST_DATA_DIR": str(data), "CALLS": str(calls)}

    def facilitator(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A step the guide describes in words between two examples."""
        request = urllib.request.Request(
            api_server.base_url + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {env['TOKEN']}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def token(call: Call) -> None:
        assert re.fullmatch(r"bct_\S{20,}\n", call.out), call.out
        env["TOKEN"] = call.out.strip()

    def created(call: Call) -> None:
        shop = call.json()
        assert (shop["template"], shop["language"], shop["phase"]) == (
            "regional-circular-economy",
            "en",
            "lobby",
        )
        # The port the server was started on, not the default one (the QR code encodes this).
        assert shop["join_url"].endswith(f":{api_server.base_url.rsplit(':', 1)[1]}/j/{shop['code']}")
        env["CODE"] = shop["code"]

    def configured(call: Call) -> None:
        assert call.json()["consent_text"].startswith("Your contributions")

    def joined(call: Call) -> None:
        assert call.json()["token"].startswith("bcp_")
        env["PTOKEN"] = call.json()["token"]

    def milestone(call: Call) -> None:
        env["MILESTONE"] = str(call.json()["id"])

    def need(call: Call) -> None:
        assert call.json()["links"] == [int(env["MILESTONE"])]
        env["NEED"] = str(call.json()["id"])

    def measure(call: Call) -> None:
        assert call.json()["links"] == [int(env["NEED"])]
        env["MEASURE"] = str(call.json()["id"])
        duplicate = facilitator(
            "POST",
            f"/api/v1/workshops/{env['CODE']}/items",
            {"kind": "measure", "text": "Empty shops for repair cafés", "links": [int(env["NEED"])]},
        )
        env["DUPLICATE"] = str(duplicate["id"])

    def merged(call: Call) -> None:
        assert call.json()["merged_into"] == int(env["MEASURE"])
        facilitator("POST", f"/api/v1/workshops/{env['CODE']}/phase", {"phase": "rating"})

    def rated(call: Call) -> None:
        facilitator("POST", f"/api/v1/workshops/{env['CODE']}/phase", {"phase": "prioritisation"})

    def results(call: Call) -> None:
        [item] = call.json()["items"]
        assert (item["item_id"], item["rank"], item["dots"]) == (int(env["MEASURE"]), 1, 3)

    def dots_csv(call: Call) -> None:
        rows = call.out.splitlines()
        assert rows[0] == "item_id,participant,group,count,updated_at,in_results"
        assert re.fullmatch(rf"{env['MEASURE']},p[0-9a-f]{{12}},sme,3,\S+Z,true", rows[1])

    def package(call: Call) -> None:
        assert (work / "workshop.zip").read_bytes()[:2] == b"PK"

    def stream(call: Call) -> None:
        assert call.result.returncode == 28, call.result.stderr  # --max-time ended it, as the guide says
        events = re.findall(r"^event: (\S+)\ndata: (.*)\nid: (\d+)$", call.out, flags=re.M)
        assert [(name, int(seq)) for name, _, seq in events] == [("dots-set", 15)]
        assert json.loads(events[0][1])["data"] == {
            "item_id": int(env["MEASURE"]),
            "participant_id": 1,
            "count": 3,
        }

    def co_owned(call: Call) -> None:
        assert [owner["email"] for owner in call.json()] == ["you@example.org", "bo@example.org"]

    def study(call: Call) -> None:
        assert call.json()["criteria"] and call.json()["id"] == 1

    def attached(call: Call) -> None:
        assert call.json()["code"] == env["CODE"]

    def coded(call: Call) -> None:
        decoder, rest, answers = json.JSONDecoder(), call.out.strip(), []
        while rest:  # two answers, printed one after the other
            answer, end = decoder.raw_decode(rest)
            answers.append(answer)
            rest = rest[end:].strip()
        theme, coding = answers
        assert theme["label_de"] == "Logistik" and coding["themes"] == [theme["id"]], call.out

    def study_export(call: Call) -> None:
        assert (work / "study.zip").read_bytes()[:2] == b"PK"
        rows = call.out.splitlines()
        assert rows[0] == "workshop,item_id,theme,coder,coded_at,settled"
        assert re.fullmatch(rf"{env['CODE']},{env['MEASURE']},logistics,c[0-9a-f]{{12}},\S+Z,false", rows[1])
        assert "you@example.org" not in call.out

    def compared(call: Call) -> None:
        [shop] = call.json()["workshops"]
        [measure] = shop["top_measures"]
        assert (shop["code"], measure["item_id"]) == (env["CODE"], int(env["MEASURE"]))

    def nothing(call: Call) -> None:
        pass

    # (what the example does, the status of each curl call in it, what else to check)
    steps: list[tuple[str, list[int], Callable[[Call], None]]] = [
        ("backcast token new", [], token),
        ('"template": "regional-circular-economy"', [201], created),
        ('-X PATCH "$BASE/api/v1/workshops/$CODE"', [200], configured),
        ('{"phase": "milestones"}', [200], nothing),
        ('{"email": "bo@example.org"}', [200], co_owned),
        ("/api/v1/join", [201], joined),
        ("Idempotency-Key", [201], milestone),
        ('"kind\\": \\"need\\"', [201], need),
        ('"kind\\": \\"measure\\"', [201], measure),
        ("merged_into", [200], merged),
        ("/ratings", [200], rated),
        ('{"count": 3}', [200], nothing),
        ("/results", [200], results),
        ("table=dots", [200], dots_csv),
        ("format=datapackage", [200], package),
        ("Last-Event-ID: 14", [200], stream),
        ("/api/v1/studies", [201], study),
        ("/studies/1/workshops", [201], attached),
        ('"role": "researcher"', [200], nothing),
        ('"label_de": "Logistik"', [201, 200], coded),
        ("/studies/1/export", [200, 200], study_export),
        ("/studies/1/results", [200], compared),
        ('{"count": 8}', [409], nothing),
        ('{"phase": "dreaming"}', [422], nothing),
    ]
    examples = [
        (block, following if following.lang in {"json", "text"} else None)
        for block, following in zip(blocks, [*blocks[1:], Block("", "")], strict=True)
        if block.lang == "sh"
    ]
    assert len(examples) == len(steps), [block.code.splitlines()[0] for block, _ in examples]

    for (block, documented), (marker, statuses, check) in zip(examples, steps, strict=True):
        assert marker in block.code, (marker, block.code)
        before = len(list(calls.glob("*.headers")))
        result = bash(CURL_LOG + block.code, work, **env)
        assert result.returncode in {0, 28}, (block.code, result.stderr)
        heads = sorted(calls.glob("*.headers"), key=lambda path: int(path.stem))[before:]
        call = Call([int(path.read_text().split()[1]) for path in heads], result.stdout, result)
        assert call.statuses == statuses, (block.code, result.stdout)
        if documented is not None and documented.lang == "json":
            assert shaped_like(json.loads(documented.code), call.json()) == [], block.code
        check(call)


# --- docs/operator.md --------------------------------------------------------------------------


def test_a_backup_made_as_the_operator_guide_says_restores_a_working_database(tmp_path: Path) -> None:
    guide = (DOCS / "operator.md").read_text()
    [backup] = [
        b.code for b in fenced_blocks(DOCS / "operator.md") if "sqlite3" in b.code and ".backup" in b.code
    ]
    [restore] = [
        b.code for b in fenced_blocks(DOCS / "operator.md") if "db upgrade" in b.code and "backups/" in b.code
    ]
    assert "data/secret_key" in guide and shutil.which("sqlite3")

    work = tmp_path / "site"
    data = work / "data"
    backcast(data, "db", "upgrade")
    code = re.match(r"demo workshop ([A-Z0-9]{6}) ", backcast(data, "demo")).group(1)  # type: ignore[union-attr]
    exported = backcast(data, "export", code, "--format", "json", "--out", "-")

    made = bash(backup, work, BACKCAST_DATA_DIR=str(data))
    assert made.returncode == 0, made.stderr
    shutil.rmtree(data)  # the disk is gone; the backup and the key were kept elsewhere
    restored = bash(restore, work, BACKCAST_DATA_DIR=str(data))
    assert restored.returncode == 0, restored.stderr

    with contextlib.closing(sqlite3.connect(data / "backcast.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # The same workshop, the same pseudonyms (the key came back with it), byte for byte.
    assert backcast(data, "export", code, "--format", "json", "--out", "-") == exported
    running = servers.start(data)
    try:
        with urllib.request.urlopen(f"{running.base_url}/healthz", timeout=5) as response:
            health = json.load(response)
        assert (health["status"], health["database"]["reachable"]) == ("ok", True)
    finally:
        running.stop()


# --- links between the documents ---------------------------------------------------------------

SCREENSHOT = re.compile(
    r"(docs/)?screenshots/((console|screen|phone)-(lobby|vision|milestones|needs|measures|rating|prioritisation"
    r"|results)(-de)?|setup|report|(study|study-coding|screen-carried)(-de)?)\.png"
)


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings."""
    text = re.sub(r"^( *)```.*?^\1```", "", path.read_text(), flags=re.M | re.S)
    headings = re.findall(r"^#{1,6} +(.+?) *$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("document", ["README.md", *(f"docs/{p.name}" for p in sorted(DOCS.glob("*.md")))])
def test_links_between_the_documents_lead_somewhere(document: str) -> None:
    path = ROOT / document
    text = re.sub(r"^( *)```.*?^\1```", "", path.read_text(), flags=re.M | re.S)
    broken = []
    links = re.findall(r"(!?)\[[^\]]*\]\(([^)\s]+)\)", text)
    links += [("!", source) for source in re.findall(r'<img src="([^"]+)"', text)]
    for image, target in links:
        if re.match(r"[a-z]+:", target):
            continue
        if image:  # the screenshots `make screenshots` takes, named by view, phase and language
            if not SCREENSHOT.fullmatch(target) or not (path.parent / target).exists():
                broken.append(target)
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists() or (anchor and anchor not in anchors(linked)):
            broken.append(target)
    assert broken == []


def test_the_readme_lists_the_guides() -> None:
    readme = (ROOT / "README.md").read_text()
    guides = re.search(r"^## Guides\n(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    assert guides, "README has no Guides section"
    linked = re.findall(r"^- \[[^]]+\]\((docs/[a-z]+\.md)\)", guides.group(1), flags=re.M)
    assert linked[:4] == ["docs/facilitator.md", "docs/researcher.md", "docs/api.md", "docs/operator.md"]


def documented_commands() -> list[tuple[str, str]]:
    """Every `backcast ...` line of the documents' shell blocks, without its comment."""
    found = []
    for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for block in fenced_blocks(path):
            if block.lang not in {"sh", "ini"}:
                continue
            for line in block.code.splitlines():
                line = re.sub(r"^Exec\w*=", "", line.strip())  # a systemd unit's commands
                command = re.match(r"(?:\w+=\S+\s+)*(?:\S*/)?backcast\s+([a-z].*?)(?:\s+#.*)?$", line)
                if command:
                    found.append((path.name, command.group(1)))
    return found


@pytest.mark.parametrize(("document", "command"), documented_commands())
def test_every_documented_backcast_command_is_one_the_cli_takes(document: str, command: str) -> None:
    import shlex

    from backcast.cli import build_parser

    args = build_parser().parse_args(shlex.split(command.replace('"$CODE"', "K7XQ2M")))
    assert callable(args.handler)
