"""The Python install quickstart (README "Install"), as make test-dist runs it: an installed
wheel, no repository. Prints one line: the scheme of the header, the status of a signed GET,
the library's version. Against the emulator named by AUTHTOKEN_EMULATOR; the password comes
from AUTHTOKEN_PASSWORD; the token is shared through AUTHTOKEN_CACHE_DIR with the other
languages' quickstarts (no logout here: test-dist counts one login for all of them).
"""

import os
import sys

import authtoken

client = authtoken.Client(
    provider="tpstreams",
    username="hari@example.com",
    organization_id="auhf2k",
    base_url=os.environ["AUTHTOKEN_EMULATOR"] + "/tpstreams",
)
scheme = client.authorization_header().split()[0]
status = client.get("/api/v1/auhf2k/assets/").raise_for_status().status_code
version = ".".join(map(str, sys.version_info[:2]))
print(f"python {version}: scheme {scheme}, GET assets {status}, authtoken {authtoken.__version__}")
