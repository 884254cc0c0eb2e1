"""Reads the configs profiles_botocore.rs wrote with botocore and checks them (see that file).

Usage: python botocore_check.py cases.json; prints a summary, exits 1 with the first failures.
"""

import json
import os
import sys

import botocore.configloader as configloader


def load(path):
    try:
        return configloader.load_config(path), None
    except Exception as e:  # botocore's ConfigParseError, and anything else it raises
        return None, f"{type(e).__name__}: {e}"


def check(case):
    problems = []
    user, user_error = load(os.path.join(case["dir"], "user"))
    # Our reading of the user's part agrees with botocore's.
    if (user_error is None) == case["rust_faults"]:
        problems.append(f"parse disagreement: botocore error={user_error!r}, ours faults={case['rust_faults']}")
    if user is not None:
        if sorted(set(user["profiles"])) != sorted(set(case["rust_profiles"])):
            problems.append(f"profile names: botocore {sorted(user['profiles'])} ours {sorted(set(case['rust_profiles']))}")
        if sorted(set(user["sso_sessions"])) != sorted(set(case["rust_sso_sessions"])):
            problems.append(f"sso-session names: botocore {sorted(user['sso_sessions'])} ours {case['rust_sso_sessions']}")
    else:
        return problems, "user config unparseable"
    config, error = load(os.path.join(case["dir"], "config"))
    if config is None:
        return problems + [f"merged config does not parse: {error}"], None
    profiles = config["profiles"]
    for name, settings in case["ours"].items():
        got = profiles.get(name)
        if got != settings:
            problems.append(f"profile {name}: wrote {settings}, botocore reads {got}")
            continue
        source = settings.get("source_profile")
        if source is not None and source not in profiles and source not in case["missing_sources"]:
            problems.append(f"profile {name}: source_profile {source} neither defined nor reported missing")
        session = settings.get("sso_session")
        if session is not None and session not in config["sso_sessions"]:
            problems.append(f"profile {name}: sso_session {session} not defined")
    for name, want in case["sessions"].items():
        got = config["sso_sessions"].get(name, {})
        if {k: got.get(k) for k in want} != want:
            problems.append(f"sso-session {name}: wrote {want}, botocore reads {got}")
    expected = set(user["profiles"]) | set(case["ours"])
    if set(profiles) != expected:
        problems.append(f"profiles listed: {sorted(set(profiles) ^ expected)} differ")
    for name in case["missing_sources"]:
        if name in profiles:
            problems.append(f"{name} reported missing but defined")
    return problems, None


def main():
    cases = json.load(open(sys.argv[1]))
    failures, skipped, profiles = [], 0, 0
    for case in cases:
        problems, skip = check(case)
        skipped += skip is not None
        profiles += len(case["ours"])
        failures += [f"case {case['case']} ({case['dir']}): {p}" for p in problems]
    print(f"{len(cases)} cases, {profiles} generated profiles read back; {skipped} with an unparseable user part")
    if skipped > len(cases) // 2:
        failures.append(f"{skipped} of {len(cases)} user parts unparseable: the generator is too wild")
    if failures:
        print("\n".join(failures[:30]))
        sys.exit(1)


main()
