"""deploy/ideabot.service: the keys the README promises (own user, state directory, restart
on failure, SIGTERM, sandboxing), and `systemd-analyze verify` on it where systemd is."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

UNIT = Path(__file__).parents[1] / "deploy" / "ideabot.service"
REQUIRED = {
    "DynamicUser": "yes",
    "User": "ideabot",
    "StateDirectory": "ideabot",
    "Environment": "IDEABOT_DB=/var/lib/ideabot/ideabot.db",
    "Restart": "on-failure",
    "KillSignal": "SIGTERM",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "RestrictSUIDSGID": "yes",
    "CapabilityBoundingSet": "",
}


def service() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    return parser["Service"]


def test_the_unit_has_every_promised_key() -> None:
    found = service()
    assert {k: found.get(k) for k in REQUIRED} == REQUIRED
    assert found["ExecStart"].endswith("ideabot run")
    # Tokens come from the EnvironmentFile, never from the unit itself.
    assert found["EnvironmentFile"] == "/etc/ideabot/ideabot.env"
    settings = [line for line in UNIT.read_text().splitlines() if not line.startswith("#")]
    assert not [line for line in settings if "TOKEN" in line or "SECRET" in line]


def test_systemd_analyze_verifies_the_unit_where_systemd_is(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # the keys are checked above on every machine
        return
    # The unit as installed, pointing at this checkout's ideabot (verify needs it to exist).
    ideabot = Path(sys.executable).parent / "ideabot"
    assert ideabot.exists()
    text = UNIT.read_text().replace("/opt/ideabot/.venv/bin/ideabot", str(ideabot))
    unit = tmp_path / "ideabot.service"
    unit.write_text(text)
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
