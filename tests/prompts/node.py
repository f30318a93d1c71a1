"""Run the prompt component's pure functions in Node: the browser's decisions, tested here."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

MODULE = Path(__file__).resolve().parents[2] / "static" / "embed" / "support-prompt.js"


def run_module(script: str, data: Any = None) -> Any:
    """Run `script` (an ES module that imports the component from process.argv[1], reads JSON on
    stdin and writes JSON) and return what it wrote."""
    node = shutil.which("node")
    assert node, "Node.js runs the component's decisions in these tests"
    done = subprocess.run(
        [node, "--input-type=module", "-e", script, MODULE.as_uri()],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


# Reads the cases from stdin; the script's own code then works on `input`.
READ_INPUT = """
const component = await import(process.argv[1]);
let text = "";
for await (const chunk of process.stdin) text += chunk;
const input = JSON.parse(text);
"""
