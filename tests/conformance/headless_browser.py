#!/usr/bin/env python3
"""A stand-in for the user's browser in automated sign-in tests: it opens the sign-in URL and
follows the redirects (the authorization server's, then to aip's loopback listener), as a
browser would after the user approves. Usage: headless_browser.py URL"""
import sys
import urllib.error
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=20) as response:
        response.read()
except urllib.error.HTTPError as e:  # The listener's 400 for a response it refuses is still a visit.
    print(f"headless browser: HTTP {e.code} from {e.url}", file=sys.stderr)
except Exception as e:  # noqa: BLE001 - report and let aip's own timeout decide.
    print(f"headless browser: {e}", file=sys.stderr)
