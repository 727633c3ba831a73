"""archiver's BagIt profile (BagIt Profiles spec 1.4.0), kept in schemas/bagit-profile.json.

Every bag archiver makes names this profile in BagIt-Profile-Identifier, and `validate`
checks a bag that names it against each rule of the profile.
"""

from __future__ import annotations

import functools
import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from archiver.bag.baginfo import BAG_INFO
from archiver.bag.codes import Problem, problem
from archiver.bag.manifest import list_manifests, list_tag_manifests
from archiver.bag.payload import PayloadListing

PROFILE_FILE = "bagit-profile.json"


def profile_path() -> Path:
    from archiver.schemas import schema_dir  # imported here: it pulls in jsonschema (slow to import)

    return schema_dir() / PROFILE_FILE


@functools.cache
def load_profile() -> dict[str, Any]:
    """archiver's profile document (parsed once)."""
    with profile_path().open(encoding="utf-8") as fh:
        return json.load(fh)


def profile_identifier() -> str:
    return load_profile()["BagIt-Profile-Info"]["BagIt-Profile-Identifier"]


def check_profile(bag: Path, identifier: str, version: str | None, info: list[tuple[str, str]],
                  listing: PayloadListing) -> list[Problem]:
    """Check *bag* against the profile it names; only archiver's own profile is known."""
    if identifier != profile_identifier():
        return [problem("W-PROFILE-UNKNOWN", BAG_INFO,
                        f"profile {identifier!r} is not archiver's; not checked")]
    rules = load_profile()
    found: list[Problem] = []

    for label, spec in rules.get("Bag-Info", {}).items():
        values = [v for k, v in info if k.lower() == label.lower()]
        if spec.get("required") and not values:
            found.append(problem("E-PROFILE-INFO", BAG_INFO, f"{label} is required by the profile"))
        if spec.get("repeatable") is False and len(values) > 1:
            found.append(problem("E-PROFILE-INFO", BAG_INFO,
                                 f"{label} must not repeat ({len(values)} found)"))
        allowed = spec.get("values")
        for value in values:
            if allowed and value not in allowed:
                found.append(problem("E-PROFILE-INFO", BAG_INFO,
                                     f"{label} is {value!r}; the profile allows {allowed}"))

    for code, present, required_key, allowed_key in (
        ("E-PROFILE-MANIFEST", set(list_manifests(bag)), "Manifests-Required", "Manifests-Allowed"),
        ("E-PROFILE-TAGMANIFEST", set(list_tag_manifests(bag)), "Tag-Manifests-Required",
         "Tag-Manifests-Allowed"),
    ):
        for algorithm in rules.get(required_key, []):
            if algorithm not in present:
                found.append(problem(code, "", f"{required_key}: {algorithm} is missing"))
        allowed_algorithms = rules.get(allowed_key)
        if allowed_algorithms is not None:
            for algorithm in sorted(present - set(allowed_algorithms)):
                found.append(problem(code, "", f"{allowed_key}: {algorithm} is not allowed"))

    for name in rules.get("Tag-Files-Required", []):
        if not (bag / name).is_file():
            found.append(problem("E-PROFILE-TAGFILE", name, "required by the profile"))
    if rules.get("Allow-Fetch.txt") is False and (bag / "fetch.txt").exists():
        found.append(problem("E-PROFILE-FETCH", "fetch.txt", "the profile does not allow fetch.txt"))
    accepted = rules.get("Accept-BagIt-Version")
    if accepted and version not in accepted:
        found.append(problem("E-PROFILE-VERSION", "bagit.txt",
                             f"BagIt-Version {version} is not one of {accepted}"))

    payload = sorted(listing.sizes)
    for pattern in rules.get("Payload-Files-Required", []):
        if not any(fnmatchcase(p, pattern) for p in payload):
            found.append(problem("E-PROFILE-PAYLOAD", pattern,
                                 "no payload file matches this required pattern"))
    allowed_payload = rules.get("Payload-Files-Allowed")
    if allowed_payload:
        for p in payload:
            if not any(fnmatchcase(p, pattern) for pattern in allowed_payload):
                found.append(problem("E-PROFILE-PAYLOAD", p, "not in a payload folder the profile allows"))
    return found
