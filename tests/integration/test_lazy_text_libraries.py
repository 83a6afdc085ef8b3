"""A worker that never reads complaint text never loads the text libraries (about 100 MB of its memory)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

HEAVY = ("numpy", "scipy", "sklearn", "joblib", "jieba")

# A fresh process, as a gunicorn worker is: other tests in this one have imported the libraries already.
WORKER = """
import json, sys
from pathlib import Path
from app.domain.clock import FixedClock
from tests.conftest import MONDAY_MORNING, make_app
from tests.integration.test_web_flow import as_form, happy_path, open_task_of
from tests.integration.web_client import Web

url, number, tmp = sys.argv[1], sys.argv[2], Path(sys.argv[3])
app = make_app(url, FixedClock(MONDAY_MORNING), tmp)
agent = Web(app).login("agent")
inbox = agent.text("/")
task_id = open_task_of(agent, number)
page = agent.text(f"/tasks/{task_id}")
step = happy_path()["steps"][0]
done = agent.post(f"/tasks/{task_id}", as_form(step["data"])).status_code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[4].split(",")))
print(json.dumps({"inbox": number in inbox, "form": "data-main-form" in page, "done": done, "heavy": heavy}))
"""


def test_a_worker_shows_the_inbox_and_a_task_and_completes_it_without_the_text_libraries(app, deployed, tmp_path):
    number, _ = register(
        Web(app).login("agent"), happy_path()["start_data"]
    )  # registration reads the text: in this process
    app.extensions["complaintflow"].db.dispose()

    out = subprocess.run(
        [sys.executable, "-c", WORKER, app.config["DATABASE_URL"], number, str(tmp_path), ",".join(HEAVY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"inbox": True, "form": True, "done": 302, "heavy": []}
