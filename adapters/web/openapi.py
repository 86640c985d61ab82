"""The OpenAPI 3.1 document of the JSON API v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from bot.board_pages import MAX_LIMIT, STATUSES, VIEWS


def _param(name: str, where: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": text,
    }


_BOARD = _param(
    "board",
    "path",
    {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"},
    "The board's name.",
)
_KEY = _param(
    "key",
    "query",
    {"type": "string"},
    "The secret read key of a private board (from its read link); ignored on a public one.",
)
_NUMBER = _param(
    "number", "path", {"type": "integer", "minimum": 0, "maximum": 999999999}, "Idea number."
)
_WEEK = _param(
    "week", "path", {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"}, "ISO week, 2026-W46."
)

_ONE_STATUS = "(" + "|".join(STATUSES) + ")"
_STATUS_LIST = f"^({_ONE_STATUS}(,{_ONE_STATUS})*)?$"

_ERROR = {
    "description": "An error: one line of JSON with a code and a message.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_ERRORS = {
    "304": {"description": "Not modified: the copy named by If-None-Match is current."},
    "400": _ERROR,
    "404": {
        "description": "No such board, idea or week, or a private board without its key.",
        "content": _ERROR["content"],
    },
    "429": {
        "description": "Too many requests from this client: wait Retry-After seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": _ERROR["content"],
    },
}


def _ok(schema: str, text: str) -> dict[str, Any]:
    return {
        "200": {
            "description": text,
            "headers": {
                "ETag": {"schema": {"type": "string"}},
                "Last-Modified": {"schema": {"type": "string"}},
            },
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        },
        **_ERRORS,
    }


_IDEA: dict[str, Any] = {
    "type": "object",
    "required": ["number", "title", "body", "author", "status", "votes", "created_at", "url"],
    "properties": {
        "number": {"type": "integer"},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "author": {
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "description": "The author's display name only.",
        },
        "status": {"type": "string", "enum": list(STATUSES)},
        "status_note": {"type": ["string", "null"]},
        "votes": {"type": "integer"},
        "anonymous_votes": {"type": "integer"},
        "merged_into": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "permalink": {"type": ["string", "null"]},
        "url": {"type": "string"},
        "duplicates": {"type": "integer", "description": "Ideas merged into this one."},
        "votes_gained_7d": {"type": "integer"},
        "score": {"type": "number", "description": "Similarity to the search (q)."},
        "status_changed_at": {"type": ["string", "null"], "format": "date-time"},
    },
}


def openapi_document() -> dict[str, Any]:
    board = "/api/v1/boards/{board}"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ideabot board API",
            "version": "1",
            "description": (
                "Read-only access to a board's ideas, roadmap and digests. Private boards"
                " answer 404 unless the request carries the board's read key."
            ),
        },
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {"200": {"description": "The OpenAPI document."}},
                }
            },
            board + "/ideas": {
                "get": {
                    "operationId": "listIdeas",
                    "summary": "Ideas of the board, ranked; or found by meaning with q.",
                    "parameters": [
                        _BOARD,
                        _param(
                            "view",
                            "query",
                            {"type": "string", "enum": list(VIEWS)},
                            (
                                "top: most votes; trending: most votes gained in the last 7 days;"
                                " new: newest first."
                            ),
                        ),
                        _param(
                            "status",
                            "query",
                            {"type": "string", "pattern": _STATUS_LIST},
                            "Only these statuses, comma-separated: " + ", ".join(STATUSES),
                        ),
                        _param(
                            "q",
                            "query",
                            {"type": "string", "maxLength": 500},
                            "Search by meaning (as /ideas search); no cursor then.",
                        ),
                        _param(
                            "limit",
                            "query",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                            "Ideas per page (default 25).",
                        ),
                        _param(
                            "cursor",
                            "query",
                            {"type": "string", "maxLength": 200},
                            "next_cursor of the previous page.",
                        ),
                        _KEY,
                    ],
                    "responses": _ok("IdeaList", "A page of ideas."),
                }
            },
            board + "/ideas/{number}": {
                "get": {
                    "operationId": "getIdea",
                    "summary": "One idea, with its merged duplicates and status history.",
                    "parameters": [_BOARD, _NUMBER, _KEY],
                    "responses": _ok("IdeaDetail", "The idea."),
                }
            },
            board + "/roadmap": {
                "get": {
                    "operationId": "getRoadmap",
                    "summary": "Planned, in progress and done ideas, latest change first.",
                    "parameters": [_BOARD, _KEY],
                    "responses": _ok("Roadmap", "The roadmap."),
                }
            },
            board + "/digests": {
                "get": {
                    "operationId": "listDigests",
                    "summary": "The weeks that have a digest, newest first.",
                    "parameters": [_BOARD, _KEY],
                    "responses": _ok("DigestList", "The weeks."),
                }
            },
            board + "/digests/{week}": {
                "get": {
                    "operationId": "getDigest",
                    "summary": "The digest of one finished ISO week.",
                    "parameters": [_BOARD, _WEEK, _KEY],
                    "responses": _ok("DigestDetail", "The digest."),
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "Idea": _IDEA,
                "IdeaList": {
                    "type": "object",
                    "required": ["board", "view", "ideas", "next_cursor"],
                    "properties": {
                        "board": {"type": "string"},
                        "view": {"type": "string"},
                        "ideas": {"type": "array", "items": {"$ref": "#/components/schemas/Idea"}},
                        "next_cursor": {"type": ["string", "null"]},
                    },
                },
                "IdeaDetail": {
                    "type": "object",
                    "required": ["board", "idea"],
                    "properties": {
                        "board": {"type": "string"},
                        "idea": {
                            "allOf": [{"$ref": "#/components/schemas/Idea"}],
                            "properties": {
                                "merged_duplicates": {"type": "array"},
                                "status_history": {"type": "array"},
                            },
                        },
                    },
                },
                "Roadmap": {
                    "type": "object",
                    "properties": {
                        "board": {"type": "string"},
                        "roadmap": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Idea"},
                            },
                        },
                    },
                },
                "DigestList": {
                    "type": "object",
                    "properties": {"board": {"type": "string"}, "digests": {"type": "array"}},
                },
                "DigestDetail": {
                    "type": "object",
                    "properties": {"board": {"type": "string"}, "digest": {"type": "object"}},
                },
            }
        },
    }
