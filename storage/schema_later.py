"""Migrations from 0010 on: the hot paths' indexes, pair labels, the web board's
visibility, the outbox, webhooks and their vote thresholds.

Registered on ``storage.schema.migrations``, after that module's own, by its import of
this one; the same rule holds: a new version is a new function appended at the end.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage.schema import _run, migrations


@migrations(name="0010_hot_paths")
def hot_paths(db: Database) -> None:
    # An idea row carries its 1.5 KB vector (150 MB at 100k ideas), so a query that reads
    # a column or two of an idea paid for reading its whole row. ideas_keys holds the few
    # columns the hot paths look up by id (a vote's idea number, the digest's authors of
    # the ideas that gained votes); ideas_live answers the digest's count of open ideas
    # (neither deleted nor merged) alone.
    _run(
        db,
        """
        CREATE INDEX ideas_keys ON ideas(board_id, id, number, author_id);
        CREATE INDEX ideas_live ON ideas(board_id, created_at)
            WHERE deleted_at IS NULL AND merged_into IS NULL
        """,
    )


@migrations(name="0011_pair_labels")
def pair_labels(db: Database) -> None:
    # Every duplicate decision people make ("Same idea" / "Different idea", a merge, an
    # unmerge) is a labelled pair the board's thresholds are re-fitted on. The pair's
    # features are kept as they were when it was decided (the board's TF-IDF moves on),
    # so a later model can score it again. A moderator's reset retires the labels.
    # The thresholds stored in board settings were cosine cut-offs; they are pair-score
    # (probability) cut-offs now, so the old values are dropped and boards start from the
    # new defaults.
    _run(
        db,
        """
        CREATE TABLE pair_labels (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            other_id INTEGER NOT NULL REFERENCES ideas(id),
            same INTEGER NOT NULL CHECK (same IN (0, 1)),
            source TEXT NOT NULL,
            features TEXT NOT NULL,
            score REAL NOT NULL,
            actor_id INTEGER,
            at TEXT NOT NULL,
            retired_at TEXT
        );
        CREATE INDEX pair_labels_board ON pair_labels(board_id, retired_at, id);
        UPDATE boards SET settings = json_remove(settings, '$.suggest', '$.auto_merge')
            WHERE json_valid(settings)
        """,
    )


@migrations(name="0012_web_visibility")
def web_visibility(db: Database) -> None:
    # Who may read a board on the web: private unless a moderator made it public, or
    # holds the board's secret read key (only its SHA-256 is kept: a leaked database
    # does not leak working links). An idea's status history is read per idea on its
    # page and feed; when a board last changed (Last-Modified) is a MAX over indexes.
    _run(
        db,
        """
        CREATE TABLE web_access (
            board_id INTEGER PRIMARY KEY REFERENCES boards(id),
            public INTEGER NOT NULL DEFAULT 0,
            key_sha256 TEXT,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX status_changes_idea ON status_changes(idea_id, at);
        CREATE INDEX ideas_updated ON ideas(board_id, updated_at)
        """,
    )


@migrations(name="0013_outbox")
def outbox(db: Database) -> None:
    # What must reach another system after a change, written in the change's transaction:
    # an announcement in an idea's thread by the running bot (target 'discord' or 'slack'),
    # later webhooks. Claimed with a lease, delivered, marked done; rows of one target with
    # the same ``ordering`` (one idea) go out in id order.
    _run(
        db,
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            target TEXT NOT NULL,
            ordering TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            next_try_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            claimed_by TEXT,
            claimed_until TEXT,
            done_at TEXT,
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox(target, done_at, next_try_at);
        CREATE INDEX outbox_order ON outbox(target, ordering, done_at, id)
        """,
    )


@migrations(name="0014_webhooks")
def webhooks(db: Database) -> None:
    # Outgoing webhooks: an endpoint of a board, the events it takes, its signing secret.
    # Deliveries are outbox rows with target 'webhook:<id>'.
    _run(
        db,
        """
        CREATE TABLE webhooks (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            events TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        );
        CREATE INDEX webhooks_board ON webhooks(board_id)
        """,
    )


@migrations(name="0015_votes_reached")
def votes_reached(db: Database) -> None:
    # Which vote thresholds an idea has reached (``idea.votes_reached`` webhooks): each is
    # told once per idea, even when votes are later taken back and cast again.
    _run(
        db,
        """
        CREATE TABLE votes_reached (
            board_id INTEGER NOT NULL REFERENCES boards(id),
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            threshold INTEGER NOT NULL,
            reached_at TEXT NOT NULL,
            PRIMARY KEY (idea_id, threshold)
        )
        """,
    )
