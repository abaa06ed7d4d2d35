"""Log in once, sign requests (with authtoken, requests and httpx), handle errors, log out.

Runs against the local emulator when AUTHTOKEN_EMULATOR is set (scripts/with-emulator.sh
sets it); without it, against app.tpstreams.com with your own credentials.
"""

import logging
import os

import authtoken
import httpx
import requests

logging.basicConfig(level=logging.INFO)  # authtoken logs to the "authtoken" logger

emulator = os.environ.get("AUTHTOKEN_EMULATOR")
client = authtoken.Client(
    provider="tpstreams",
    username=os.environ.get("TPSTREAMS_USERNAME", "hari@example.com"),
    password=os.environ.get("TPSTREAMS_PASSWORD", "demo-password"),
    organization_id=os.environ.get("TPSTREAMS_ORG", "auhf2k"),
    base_url=f"{emulator}/tpstreams" if emulator else None,
)
org = os.environ.get("TPSTREAMS_ORG", "auhf2k")

with client:  # closes the connections on exit; does not log out
    # Logs in on first use only; every thread and process of this user shares the token.
    scheme = client.authorization_header().split()[0]
    print(f"signed with {scheme!r} tokens, kept in {client.store.split(':')[0]}")

    assets = client.get(f"/api/v1/{org}/assets/").raise_for_status().json()
    print(f"{len(assets)} assets")
    created = client.post(f"/api/v1/{org}/assets/videos/", json={"title": "Intro"})
    print(f"created: HTTP {created.status_code}")

    # The same token signs requests sent with requests and httpx (a 401 logs in again).
    url = f"{client.base_url}/api/v1/{org}/assets/"
    print("requests:", requests.get(url, auth=client, timeout=30).status_code)
    with httpx.Client(auth=authtoken.HttpxAuth(client)) as http:
        print("httpx:", http.get(url).status_code)

    # One exception class per error kind, with the same code in every language.
    wrong = authtoken.Client(
        provider="tpstreams",
        username="someone@example.com",
        password="not-the-password",
        organization_id=org,
        base_url=client.base_url,
        cache="memory",
    )
    try:
        wrong.authorization_header()
    except authtoken.InvalidCredentialsError as e:
        print(f"error {e.code} ({e.kind}), HTTP {e.status}: {e.server_message}")

    client.logout()  # revoke the token when it is no longer needed
