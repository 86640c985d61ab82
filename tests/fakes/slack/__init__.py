"""A stateful fake of Slack (Web API, response URLs, Socket Mode) for a real Bolt AsyncApp.

async with FakeSlack() as slack:
    ideas = slack.add_channel("ideas"); alice = slack.add_user("alice")
    app = AsyncApp(
        client=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url),
        signing_secret=slack.signing_secret, process_before_response=True,
    )
    message, body = slack.post(ideas, alice, "Dark mode please")   # stored + event body
    response = await slack.dispatch(app, body)                      # signed, in-process
    await slack.wait_for(lambda: slack.bot_messages(ideas))
"""

from .delivery import dispatch, encode_body, post_http, serve_app, signed_headers
from .model import ApiCall, Ephemeral, FakeChannel, FakeMessage, FakeUser, FakeView
from .payloads import kind_of
from .server import FakeSlack
from .socket import Envelope, SocketConnection
from .state import Interaction, ResponsePost, SlackError

__all__ = [
    "ApiCall",
    "Envelope",
    "Ephemeral",
    "FakeChannel",
    "FakeMessage",
    "FakeSlack",
    "FakeUser",
    "FakeView",
    "Interaction",
    "ResponsePost",
    "SlackError",
    "SocketConnection",
    "dispatch",
    "encode_body",
    "kind_of",
    "post_http",
    "serve_app",
    "signed_headers",
]
