"""The database schema, created and upgraded by versioned migrations.

Each migration runs in its own transaction (sqlite-utils' ``Migrations``); a new
version of the schema is a new decorated function appended at the end, never an
edit of one already applied.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("ideabot")


def _run(db: Database, script: str) -> None:
    # Statement by statement: sqlite3's executescript() would commit the
    # migration's transaction half way.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE boards (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            next_number INTEGER NOT NULL DEFAULT 1
        );

        -- A Discord guild or Slack workspace belongs to exactly one board.
        CREATE TABLE workspaces (
            platform TEXT NOT NULL,
            workspace_id TEXT NOT NULL,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            name TEXT,
            PRIMARY KEY (platform, workspace_id)
        );

        -- Channels attached to a board, by purpose ('ideas' or 'digest').
        CREATE TABLE channels (
            board_id INTEGER NOT NULL REFERENCES boards(id),
            platform TEXT NOT NULL,
            workspace_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            purpose TEXT NOT NULL,
            PRIMARY KEY (platform, workspace_id, channel_id, purpose)
        );

        CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            UNIQUE (platform, user_id)
        );

        CREATE TABLE ideas (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            number INTEGER NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES members(id),
            platform TEXT NOT NULL,
            channel_id TEXT,
            message_id TEXT,
            permalink TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            status_note TEXT,
            merged_into INTEGER REFERENCES ideas(id),
            canonical_id INTEGER NOT NULL,
            embedding BLOB,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            UNIQUE (board_id, number)
        );
        CREATE INDEX ideas_canonical ON ideas(board_id, canonical_id);
        CREATE INDEX ideas_merged_into ON ideas(merged_into);
        CREATE INDEX ideas_created ON ideas(board_id, created_at);

        -- Every chat message that stands for an idea: its source and the bot's replies.
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            UNIQUE (platform, channel_id, message_id)
        );
        CREATE INDEX messages_idea ON messages(idea_id);

        -- Reaction facts: one row per vote episode (added, and removed when it was).
        -- idea_id is the idea of the message reacted to, which never changes;
        -- merges are resolved through ideas.canonical_id at read time.
        CREATE TABLE reactions (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL,
            idea_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL REFERENCES messages(id),
            member_id INTEGER NOT NULL,
            emoji TEXT NOT NULL,
            added_at TEXT NOT NULL,
            removed_at TEXT
        );
        CREATE UNIQUE INDEX reactions_active
            ON reactions(message_id, member_id, emoji) WHERE removed_at IS NULL;
        CREATE INDEX reactions_votes
            ON reactions(board_id, idea_id, member_id, added_at, removed_at);

        CREATE TABLE processed_events (
            platform TEXT NOT NULL,
            event_id TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (platform, event_id)
        );

        CREATE TABLE status_changes (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL,
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            old_status TEXT NOT NULL,
            new_status TEXT NOT NULL,
            note TEXT,
            actor_id INTEGER,
            at TEXT NOT NULL
        );
        CREATE INDEX status_changes_at ON status_changes(board_id, at);

        CREATE TABLE merges (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL,
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            into_id INTEGER NOT NULL REFERENCES ideas(id),
            score REAL,
            automatic INTEGER NOT NULL DEFAULT 0,
            actor_id INTEGER,
            at TEXT NOT NULL,
            undone_at TEXT
        );
        CREATE INDEX merges_at ON merges(board_id, at);

        -- Duplicate candidates offered to the author and moderators.
        CREATE TABLE suggestions (
            board_id INTEGER NOT NULL,
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            candidate_id INTEGER NOT NULL REFERENCES ideas(id),
            score REAL NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            decided_by INTEGER,
            decided_at TEXT,
            PRIMARY KEY (idea_id, candidate_id)
        );

        CREATE TABLE moderation_log (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL,
            actor_id INTEGER,
            action TEXT NOT NULL,
            details TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX moderation_log_board ON moderation_log(board_id, at);

        CREATE TABLE digests (
            board_id INTEGER NOT NULL,
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            posted_at TEXT NOT NULL,
            message_id TEXT,
            PRIMARY KEY (board_id, platform, channel_id, period_start)
        );
        """,
    )


@migrations(name="0002_channel_cursors")
def channel_cursors(db: Database) -> None:
    # The newest message of each idea channel already handled, for catch-up on start.
    _run(
        db,
        """
        CREATE TABLE channel_cursors (
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            last_message_id TEXT NOT NULL,
            PRIMARY KEY (platform, channel_id)
        )
        """,
    )


@migrations(name="0003_reactions_by_time")
def reactions_by_time(db: Database) -> None:
    # Range scans of the votes cast in a period (digest headline, trending).
    _run(
        db,
        "CREATE INDEX reactions_added"
        " ON reactions(board_id, added_at, removed_at, idea_id, member_id)",
    )


@migrations(name="0004_reactions_removed")
def reactions_removed(db: Database) -> None:
    # Range scans of the votes taken back in a period (digest: votes gained).
    _run(
        db,
        "CREATE INDEX reactions_removed ON reactions(board_id, removed_at, added_at, idea_id)"
        " WHERE removed_at IS NOT NULL",
    )


@migrations(name="0005_link_codes")
def link_codes(db: Database) -> None:
    # One-time codes a board's moderator hands out to attach another community.
    _run(
        db,
        """
        CREATE TABLE link_codes (
            code TEXT PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            created_by INTEGER,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by_platform TEXT,
            used_by_workspace TEXT
        )
        """,
    )


@migrations(name="0006_digest_schedule")
def digest_schedule(db: Database) -> None:
    # Digest posts are claimed before they are posted and recorded once the platform
    # accepted them, so neither a restart nor a second process posts one twice; the
    # old digests table only ever recorded finished posts and was never written.
    _run(
        db,
        """
        DROP TABLE digests;
        CREATE TABLE digest_posts (
            board_id INTEGER NOT NULL REFERENCES boards(id),
            platform TEXT NOT NULL,
            workspace_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            label TEXT NOT NULL,
            state TEXT NOT NULL,
            claimed_by TEXT,
            claimed_until TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try_at TEXT,
            last_error TEXT,
            late INTEGER NOT NULL DEFAULT 0,
            posted_at TEXT,
            message_id TEXT,
            PRIMARY KEY (board_id, platform, channel_id, period_start)
        );
        ALTER TABLE channels ADD COLUMN added_at TEXT
        """,
    )


@migrations(name="0007_import")
def imported_votes(db: Database) -> None:
    # Exports often give only how many reacted, not who: each vote beyond the people
    # named is stored as an anonymous member of its own, so derived scores count it
    # exactly; the flag keeps such members out of mentions and shows them in exports.
    _run(
        db,
        """
        ALTER TABLE members ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX members_anonymous ON members(anonymous) WHERE anonymous = 1
        """,
    )


@migrations(name="0008_inbox_and_reconcile")
def inbox_and_reconcile(db: Database) -> None:
    # inbox: a platform event is written here (one group commit) before it is
    # acknowledged, and marked done once handled; what a crash left undone is handled
    # again on start. reconcile_places: where the pass over a board's open ideas that
    # re-reads their votes got to, so a restart carries on from there.
    _run(
        db,
        """
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            event_id TEXT NOT NULL,
            body TEXT NOT NULL,
            received_at TEXT NOT NULL,
            done_at TEXT,
            UNIQUE (platform, event_id)
        );
        CREATE INDEX inbox_pending ON inbox(platform, id) WHERE done_at IS NULL;
        CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL;
        CREATE TABLE reconcile_places (
            platform TEXT NOT NULL,
            board_id INTEGER NOT NULL REFERENCES boards(id),
            started_at TEXT NOT NULL,
            place INTEGER,
            finished_at TEXT,
            PRIMARY KEY (platform, board_id)
        )
        """,
    )


@migrations(name="0009_anonymous_vote_counts")
def anonymous_vote_counts(db: Database) -> None:
    # An export's reaction count beyond the people it names is stored as one row with
    # the count, not as one member and one reaction per vote: a 368-byte file claiming
    # two million reactions made a 625 MB database. A row ends (removed_at = added_at,
    # so it never counted in any period) when a later export changes the count, and a
    # new row takes its place. Existing anonymous members become such rows.
    _run(
        db,
        """
        CREATE TABLE anonymous_votes (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL,
            idea_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL REFERENCES messages(id),
            emoji TEXT NOT NULL,
            count INTEGER NOT NULL CHECK (count > 0),
            added_at TEXT NOT NULL,
            removed_at TEXT
        );
        CREATE UNIQUE INDEX anonymous_votes_active
            ON anonymous_votes(message_id, emoji) WHERE removed_at IS NULL;
        CREATE INDEX anonymous_votes_ideas
            ON anonymous_votes(board_id, idea_id, removed_at, count);
        CREATE INDEX anonymous_votes_added
            ON anonymous_votes(board_id, added_at, removed_at, idea_id, count);
        INSERT INTO anonymous_votes (board_id, idea_id, message_id, emoji, count, added_at)
            SELECT r.board_id, r.idea_id, r.message_id, r.emoji, COUNT(*), MIN(r.added_at)
            FROM reactions r JOIN members m ON m.id = r.member_id
            WHERE m.anonymous = 1 AND r.removed_at IS NULL
            GROUP BY r.board_id, r.idea_id, r.message_id, r.emoji;
        DELETE FROM reactions WHERE member_id IN (SELECT id FROM members WHERE anonymous = 1);
        DELETE FROM members WHERE anonymous = 1
        """,
    )


# Migrations 0010 and later are in storage.schema_later, registered on the same
# ``migrations`` in order after these (imported last: it needs ``migrations``).
from storage import schema_later  # noqa: E402, F401
