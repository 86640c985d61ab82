"""Texts both embedding runtimes must encode alike (tests/dedupe)."""

# Short and long, several languages, markup, emoji, one character, and a text past the
# model's 256-token window (both paths must cut it at the same place).
TEXTS = [
    "Capture a scrolling screenshot of a whole web page.",
    "Ability to take a full-page screenshot by scrolling down automatically.",
    "Dark mode",
    "x",
    "Export the backlog to CSV so we can open it in a spreadsheet.\nWith one row per idea.",
    "Mode sombre pour l'éditeur, s'il vous plaît",
    "Dunkler Modus für die Kartenansicht",
    "もっと速い検索がほしい",
    "Please add :rocket: reactions as votes 🚀🚀 and <https://example.com|a link>",
    '`ideabot ideas --search` should accept quotes "like this"',
    "Offline maps for whole regions. " * 80,
]
