"""Realistic, varied idea texts for the benchmark, built from templates.

Each feature is a distinct request from one of twenty kinds of product; a text is a
feature in one of several phrasings. Ideas built from different features are not
duplicates of each other (all-MiniLM-L6-v2 puts about a third of 200 of them at or
above the "suggest" threshold of some earlier one, none at "auto_merge"), so the
submit benchmark sees the mix of new ideas and possible duplicates a board sees.
"""

from __future__ import annotations

import numpy as np

FEATURES: dict[str, tuple[str, ...]] = {
    "music": (
        "crossfade between songs",
        "lyrics shown while a song plays",
        "a sleep timer",
        "collaborative playlists",
        "an equalizer preset for podcasts",
        "offline downloads to the SD card",
        "a way to hide explicit tracks",
        "listening stats at the end of the year",
        "a queue that survives a restart",
        "gapless playback for live albums",
    ),
    "bank": (
        "instant card freeze",
        "round-up savings",
        "splitting a bill with friends",
        "spending charts by category",
        "alerts for large withdrawals",
        "a virtual card for online shopping",
        "joint savings goals",
        "scheduled transfers on payday",
        "exporting statements as CSV",
        "a travel notice button",
    ),
    "game": (
        "a replay of the last match",
        "controller remapping",
        "a spectator mode",
        "cross-platform saves",
        "a practice range",
        "colour-blind friendly markers",
        "a ranked season reset warning",
        "muting voice chat per player",
        "a photo mode with free camera",
        "skipping cutscenes on a second playthrough",
    ),
    "grocery": (
        "substitutions I can approve",
        "evening delivery slots",
        "a recipe to shopping list button",
        "returning reusable bags",
        "nutrition labels in search results",
        "a store map with aisle numbers",
        "reordering last week's basket",
        "a price per kilo on every item",
        "a filter for gluten-free products",
        "contactless doorstep delivery",
    ),
    "fitness": (
        "heart rate zones",
        "a rest day reminder",
        "sharing GPS routes",
        "custom interval timers",
        "progress photos side by side",
        "a yoga video library",
        "syncing workouts to the watch",
        "a weekly step challenge with friends",
        "tracking personal bests on lifts",
        "a cool-down stretch routine",
    ),
    "devtools": (
        "a dark theme for the code editor",
        "faster CI caching",
        "pull request templates",
        "a flaky test detector",
        "one-click rollbacks",
        "secret scanning on push",
        "blame view that skips formatting commits",
        "a merge queue",
        "preview environments for each branch",
        "keyboard shortcuts for code review",
    ),
    "travel": (
        "price alerts for flights",
        "a packing checklist",
        "offline boarding passes",
        "seat maps before booking",
        "a built-in currency converter",
        "sharing the trip with family",
        "luggage tracking",
        "lounge access in the itinerary",
        "train and flight combos",
        "a visa requirement checker",
    ),
    "coffee": (
        "ordering ahead from the phone",
        "oat milk at no extra charge",
        "a discount for bringing my own cup",
        "birthday rewards",
        "decaf cold brew",
        "a quiet area for studying",
        "more vegan pastries",
        "a drive-through lane",
        "tipping the barista in the app",
        "recyclable lids",
    ),
    "chat": (
        "scheduled messages",
        "threads inside voice channels",
        "a status that expires",
        "read-only announcement channels",
        "slow mode for busy rooms",
        "searching pinned messages",
        "polls with anonymous votes",
        "a do-not-disturb schedule",
        "voice message transcripts",
        "custom emoji per channel",
    ),
    "docs": (
        "version history with author names",
        "comments on images",
        "a word count goal",
        "export to Markdown",
        "a table of contents that follows the headings",
        "templates for meeting notes",
        "suggesting edits instead of editing",
        "linking to a single paragraph",
        "a focus mode without toolbars",
        "offline editing",
    ),
    "shop": (
        "a size guide with real measurements",
        "free returns by post",
        "a wishlist I can share",
        "notifications when an item is back in stock",
        "paying in three instalments",
        "gift wrapping at checkout",
        "photos from other buyers in reviews",
        "a filter for sustainable brands",
        "saving my card securely",
        "delivery to a parcel locker",
    ),
    "streaming": (
        "skipping the intro automatically",
        "a kids profile with a PIN",
        "downloading episodes on wifi only",
        "audio descriptions",
        "a continue watching row that I can clear",
        "subtitles in more languages",
        "watching together with friends remotely",
        "a sleep mode that stops after one episode",
        "hiding titles I have finished",
        "picture in picture on tablets",
    ),
    "transit": (
        "live bus arrival times",
        "a monthly pass on the phone",
        "step-free route planning",
        "bike parking availability",
        "alerts when my line is delayed",
        "a quiet carriage marker",
        "paying with a contactless card",
        "a map of the night buses",
        "fare caps for the week",
        "crowding levels per carriage",
    ),
    "school": (
        "a homework calendar for parents",
        "grades exported as PDF",
        "a lunch menu for the week",
        "messaging the teacher in the app",
        "reminders for permission slips",
        "a reading log for each child",
        "bus pickup notifications",
        "a lost and found board",
        "the timetable on the lock screen",
        "a shared sign-up for volunteer days",
    ),
    "health": (
        "booking appointments online",
        "refill reminders for prescriptions",
        "test results with plain explanations",
        "video visits on weekends",
        "a medication interaction checker",
        "sharing records with another clinic",
        "a symptom diary",
        "reminders for vaccinations",
        "choosing a doctor by language",
        "a waiting room queue position",
    ),
    "home": (
        "scheduling the thermostat by room",
        "energy use per appliance",
        "a vacation lighting mode",
        "doorbell clips saved for a week",
        "guest access codes for the lock",
        "a leak sensor alert",
        "voice control for the blinds",
        "a night light for the hallway",
        "geofencing to arm the alarm",
        "a filter change reminder",
    ),
    "photos": (
        "finding photos by the people in them",
        "hiding screenshots from the timeline",
        "shared albums with comments",
        "removing duplicates",
        "editing RAW files",
        "a map of where photos were taken",
        "backups over mobile data",
        "printing a photo book",
        "restoring old scanned pictures",
        "locking a private folder",
    ),
    "forum": (
        "marking a reply as the answer",
        "following a thread without replying",
        "a digest email of new topics",
        "blocking a user",
        "drafts that sync across devices",
        "quoting part of a post",
        "tags for topics",
        "badges for helpful members",
        "a markdown preview",
        "muting a category",
    ),
    "food": (
        "tracking the delivery driver on a map",
        "splitting the order payment",
        "allergy filters",
        "group orders for the office",
        "leaving a note for the kitchen",
        "scheduled lunch delivery",
        "a rating for each dish",
        "a cutlery opt-out",
        "pickup instead of delivery",
        "reordering a favourite meal",
    ),
    "work": (
        "time-off requests in the app",
        "a shared team calendar",
        "expense receipts from photos",
        "an org chart",
        "onboarding checklists for new hires",
        "a desk booking map",
        "payslips as PDF",
        "anonymous feedback to managers",
        "a birthday list for the team",
        "shift swaps between colleagues",
    ),
}

FRAMES = (
    "{f}, please.",
    "Could we get {f}?",
    "I'd really like {f} in the {d} app.",
    "Feature request: {f}.",
    "{F} would make my week.",
    "Any plans for {f}?",
    "It would help a lot to have {f}.",
    "Suggestion for the {d} team: {f}.",
)

ITEMS = [(domain, feature) for domain, features in FEATURES.items() for feature in features]


def phrase(item: int, frame: int) -> str:
    domain, feature = ITEMS[item]
    return FRAMES[frame].format(f=feature, F=feature[0].upper() + feature[1:], d=domain)


def submit_texts(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` ideas, each about a different feature, in random phrasings."""
    if count > len(ITEMS):
        raise ValueError(f"at most {len(ITEMS)} distinct ideas")
    return [
        phrase(int(item), int(rng.integers(len(FRAMES))))
        for item in rng.permutation(len(ITEMS))[:count]
    ]


def text_pool(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct texts drawn from every (feature, phrasing) combination."""
    codes = rng.choice(len(ITEMS) * len(FRAMES), size=count, replace=False)
    return [phrase(int(code) // len(FRAMES), int(code) % len(FRAMES)) for code in codes]
